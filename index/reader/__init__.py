"""Answer-sentence reader: a French cross-encoder (LoRA on the bundled e5-small) scoring (question, sentence) pairs."""
