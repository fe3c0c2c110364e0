//! A [`Tree`] as a print-ready HTML page: A4 with the same margins as the .docx, Times New
//! Roman, page numbers where the browser supports page-margin boxes, and nothing of the app's
//! screens. Printing it (or «Сохранить как PDF») gives the paper document.

use std::fmt::Write;

use crate::tree::{Align, Block, Para, Row, Tree};

const STYLE: &str = r#"
@page { size: A4 portrait; margin: 20mm 15mm 20mm 30mm;
  @bottom-center { content: counter(page); font: 12pt "Times New Roman", serif; } }
@page wide { size: A4 landscape; }
html { background: #fff; color: #000; }
body { margin: 0; font: 14pt/1.2 "Times New Roman", "Liberation Serif", serif; }
main.wide { page: wide; }
p { margin: 0; }
p.body { text-align: justify; text-indent: 1.25cm; }
p.left { text-align: left; } p.center { text-align: center; } p.right { text-align: right; }
.small { font-size: 12pt; }
.letterhead { text-align: center; font-size: 12pt; border-bottom: 3px double #000;
  padding-bottom: 4pt; margin-bottom: 12pt; }
h1 { font-size: 15pt; text-align: center; margin: 12pt 0 0; }
h1 + h1 { margin-top: 0; }
h1:last-of-type { margin-bottom: 12pt; }
h2 { font-size: 14pt; margin: 12pt 0 6pt; break-after: avoid; }
h3 { font-size: 14pt; margin: 6pt 0 3pt; break-after: avoid; }
ol, ul { margin: 0; padding-left: 1.25cm; text-align: justify; }
ul { list-style: "– "; }
table { border-collapse: collapse; width: 100%; font-size: 12pt; margin: 0 0 10pt; }
table.grid th, table.grid td { border: 1px solid #000; padding: 2pt 4pt; vertical-align: top;
  text-align: left; }
table.grid th { text-align: center; vertical-align: middle; background: #ededed; }
table.grid td.group { font-weight: bold; font-style: italic; }
table.bars { border-collapse: collapse; width: 100%; margin: 4pt 0 8pt; font-size: 10pt; }
table.bars td { padding: 2pt 4pt; vertical-align: middle; }
table.bars td:first-child { width: 38%; }
table.bars td.bar { width: 40%; border: 1px solid #000; padding: 0; }
table.bars td.bar div { height: 10pt; background: #2f5597; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
table.grid thead { display: table-header-group; }
table.grid tr { break-inside: avoid; }
table.plain td { border: 0; padding: 0; vertical-align: top; }
table.approval td { width: 50%; }
table.signatures td { padding-top: 14pt; vertical-align: bottom; }
.caption { text-align: right; font-style: italic; font-size: 12pt; margin-top: 6pt; }
.page-break { break-after: page; }
.spacer { height: 14pt; }
@media screen { body { max-width: 180mm; margin: 10mm auto; } main.wide { max-width: 260mm; } }
"#;

/// The whole page.
pub fn render(tree: &Tree) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"ru\"><head><meta charset=\"utf-8\"><title>{}</title><style>{}{}</style></head><body><main{}>",
        escape(&tree.title),
        STYLE,
        if tree.landscape {
            "@page { size: A4 landscape; }"
        } else {
            ""
        },
        if tree.landscape {
            " class=\"wide\""
        } else {
            ""
        },
    );
    for block in &tree.blocks {
        match block {
            Block::Letterhead(lines) => {
                out.push_str("<div class=\"letterhead\">");
                for line in lines {
                    out.push_str("<p>");
                    spans(&mut out, line);
                    out.push_str("</p>");
                }
                out.push_str("</div>");
            }
            Block::Approval { left, right } => {
                out.push_str("<table class=\"plain approval small\"><tr>");
                for a in [left, right] {
                    out.push_str("<td>");
                    if let Some(a) = a {
                        let _ = write!(out, "<p><b>{}</b></p>", escape(&a.heading));
                        for line in &a.lines {
                            let _ = write!(out, "<p>{}</p>", escape(line));
                        }
                    }
                    out.push_str("</td>");
                }
                out.push_str("</tr></table>");
            }
            Block::Title(lines) => {
                for line in lines {
                    let _ = write!(out, "<h1>{}</h1>", escape(line));
                }
            }
            Block::Heading(t) => {
                let _ = write!(out, "<h2>{}</h2>", escape(t));
            }
            Block::Subheading(t) => {
                let _ = write!(out, "<h3>{}</h3>", escape(t));
            }
            Block::Paragraph(p) => {
                let class = match p.align {
                    Align::Left => "left",
                    Align::Center => "center",
                    Align::Right => "right",
                    Align::Body => "body",
                };
                let _ = write!(
                    out,
                    "<p class=\"{class}{}\">",
                    if p.small { " small" } else { "" }
                );
                spans(&mut out, p);
                out.push_str("</p>");
            }
            Block::List { numbered, items } => {
                let tag = if *numbered { "ol" } else { "ul" };
                let _ = write!(out, "<{tag}>");
                for item in items {
                    let _ = write!(out, "<li>{}</li>", escape(item));
                }
                let _ = write!(out, "</{tag}>");
            }
            Block::Table(t) => {
                if let Some(c) = &t.caption {
                    let _ = write!(out, "<p class=\"caption\">{}</p>", escape(c));
                }
                let total: u32 = t.columns.iter().map(|c| c.width).sum::<u32>().max(1);
                out.push_str("<table class=\"grid\"><colgroup>");
                for c in &t.columns {
                    let _ = write!(out, "<col style=\"width:{}%\">", c.width * 100 / total);
                }
                out.push_str("</colgroup><thead><tr>");
                for c in &t.columns {
                    let _ = write!(out, "<th>{}</th>", escape(&c.title));
                }
                out.push_str("</tr></thead><tbody>");
                for row in &t.rows {
                    match row {
                        Row::Cells(cells) => {
                            out.push_str("<tr>");
                            for i in 0..t.columns.len() {
                                let _ = write!(
                                    out,
                                    "<td>{}</td>",
                                    escape(cells.get(i).map(String::as_str).unwrap_or(""))
                                );
                            }
                            out.push_str("</tr>");
                        }
                        Row::Group(g) => {
                            let _ = write!(
                                out,
                                "<tr><td class=\"group\" colspan=\"{}\">{}</td></tr>",
                                t.columns.len(),
                                escape(g)
                            );
                        }
                    }
                }
                out.push_str("</tbody></table>");
            }
            Block::Split { left, right } => {
                let _ = write!(
                    out,
                    "<table class=\"plain\"><tr><td>{}</td><td style=\"text-align:right\">{}</td></tr></table>",
                    escape(left),
                    escape(right)
                );
            }
            Block::Signatures(signatures) => {
                out.push_str("<table class=\"plain signatures small\">");
                for s in signatures {
                    let _ = write!(
                        out,
                        "<tr><td style=\"width:45%\">{}</td><td style=\"width:25%;text-align:center\">________________</td><td>{}</td></tr>",
                        escape(&s.role),
                        escape(&s.name)
                    );
                }
                out.push_str("</table>");
            }
            Block::Spacer => out.push_str("<div class=\"spacer\"></div>"),
            Block::Bars(bars) => {
                out.push_str("<table class=\"bars\"><tbody>");
                for b in bars {
                    let _ = write!(
                        out,
                        "<tr><td>{}</td><td class=\"bar\"><div style=\"width:{}%\"></div></td><td>{}</td></tr>",
                        escape(&b.label),
                        b.percent(),
                        escape(&b.text())
                    );
                }
                out.push_str("</tbody></table>");
            }
            Block::PageBreak => out.push_str("<div class=\"page-break\"></div>"),
        }
    }
    out.push_str("</main></body></html>\n");
    out
}

fn spans(out: &mut String, p: &Para) {
    for s in &p.spans {
        let text = escape(&s.text);
        match (s.bold, s.italic) {
            (true, true) => {
                let _ = write!(out, "<b><i>{text}</i></b>");
            }
            (true, false) => {
                let _ = write!(out, "<b>{text}</b>");
            }
            (false, true) => {
                let _ = write!(out, "<i>{text}</i>");
            }
            (false, false) => out.push_str(&text),
        }
    }
}

/// Escapes text for HTML; a line break becomes `<br>`.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("<br>"),
            c => out.push(c),
        }
    }
    out
}
