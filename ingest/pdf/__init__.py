"""PDF layout: pdfium characters → lines → ordered blocks → the text a loader hands on.

* `lines` reads one page with pypdfium2 (every glyph's box) and builds text
  lines: words from the gaps between glyphs (letter-spaced headings read as
  words), superscript footnote calls, soft hyphens marked;
* `metadata` asks pypdf for what pdfium does not give: a meaningful title,
  the outline (bookmarks) and the page labels;
* `layout` works on the whole document: running headers/footers and
  page-number lines, footnotes, two-column reading order, tables, paragraphs
  and list items, words hyphenated at line ends, ligatures;
* `headings` finds headings from the outline, else from font size and weight,
  and the title when the metadata title is not meaningful;
* `document` assembles the text with its page starts, headings, footnotes,
  page labels and image-only pages (`PdfText`);
* `render` draws a page as PNG with a quote's boxes highlighted (the cited page).
"""
