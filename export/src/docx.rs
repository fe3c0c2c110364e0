//! A [`Tree`] as a .docx file (docx-rs): A4, the margins of Russian office documents (left
//! 30 mm, right 15 mm, top and bottom 20 mm), Times New Roman, real heading styles and tables,
//! page numbers in the footer.

use docx_rs::{
    AlignmentType, BorderType, Docx, Footer, LineSpacing, PageMargin, PageNum, PageOrientationType,
    Paragraph, ParagraphBorder, ParagraphBorderPosition, ParagraphBorders, Run, RunFonts, Shading,
    SpecialIndentType, Style, StyleType, Table as DocxTable, TableCell, TableCellMargins,
    TableLayoutType, TableRow, VAlignType, WidthType,
};

use crate::tree::{Align, Block, Para, Row, Table, Tree};

const FONT: &str = "Times New Roman";
/// Sizes in half-points: 14 pt running text, 12 pt tables and blocks, 11 pt notes.
const BODY: usize = 28;
const SMALL: usize = 24;
const NOTE: usize = 22;
/// A4 in twentieths of a point.
const A4: (u32, u32) = (11906, 16838);
/// 30 mm, 15 mm, 20 mm.
const MARGIN_LEFT: i32 = 1701;
const MARGIN_RIGHT: i32 = 850;
const MARGIN_TOP_BOTTOM: i32 = 1134;
/// 1.25 cm, the usual first-line indent.
const INDENT: i32 = 709;

/// The width text may take, in twips.
fn text_width(tree: &Tree) -> usize {
    let page = if tree.landscape { A4.1 } else { A4.0 };
    page as usize - (MARGIN_LEFT + MARGIN_RIGHT) as usize
}

/// The .docx file's bytes.
pub fn render(tree: &Tree) -> Vec<u8> {
    let mut docx = Docx::new()
        .default_fonts(fonts())
        .default_size(BODY)
        .default_spacing(0)
        .page_margin(
            PageMargin::new()
                .top(MARGIN_TOP_BOTTOM)
                .bottom(MARGIN_TOP_BOTTOM)
                .left(MARGIN_LEFT)
                .right(MARGIN_RIGHT)
                .header(567)
                .footer(567)
                .gutter(0),
        )
        .add_style(heading_style("Heading1", "heading 1", 0, 30))
        .add_style(heading_style("Heading2", "heading 2", 1, BODY))
        .add_style(heading_style("Heading3", "heading 3", 2, BODY))
        .footer(
            Footer::new().add_paragraph(
                Paragraph::new()
                    .align(AlignmentType::Center)
                    .add_run(Run::new().size(SMALL).fonts(fonts()))
                    .add_page_num(PageNum::new()),
            ),
        )
        .custom_property("title", tree.title.as_str());
    docx = if tree.landscape {
        docx.page_size(A4.1, A4.0)
            .page_orient(PageOrientationType::Landscape)
    } else {
        docx.page_size(A4.0, A4.1)
    };
    let width = text_width(tree);
    let mut page_break_next = false;
    for block in &tree.blocks {
        let mut paragraphs: Vec<Paragraph> = vec![];
        let mut table: Option<DocxTable> = None;
        match block {
            Block::Letterhead(lines) => {
                let last = lines.len().saturating_sub(1);
                for (i, line) in lines.iter().enumerate() {
                    let mut p = para(line).align(AlignmentType::Center);
                    if i == last {
                        p.property = p.property.set_borders(
                            ParagraphBorders::with_empty().set(
                                ParagraphBorder::new(ParagraphBorderPosition::Bottom)
                                    .val(BorderType::Double)
                                    .size(6)
                                    .space(4),
                            ),
                        );
                    }
                    paragraphs.push(p);
                }
                paragraphs.push(empty());
            }
            Block::Approval { left, right } => {
                let cell = |a: &Option<crate::tree::Approval>| {
                    let mut c = TableCell::new().width(width / 2, WidthType::Dxa);
                    match a {
                        Some(a) => {
                            c = c.add_paragraph(
                                Paragraph::new().add_run(run(&a.heading, SMALL).bold()),
                            );
                            for line in &a.lines {
                                c = c.add_paragraph(Paragraph::new().add_run(run(line, SMALL)));
                            }
                        }
                        None => c = c.add_paragraph(Paragraph::new()),
                    }
                    c
                };
                table = Some(
                    DocxTable::without_borders(vec![TableRow::new(vec![cell(left), cell(right)])])
                        .set_grid(vec![width / 2, width / 2])
                        .width(width, WidthType::Dxa)
                        .layout(TableLayoutType::Fixed),
                );
            }
            Block::Title(lines) => {
                paragraphs.push(empty());
                for line in lines {
                    paragraphs.push(
                        Paragraph::new()
                            .style("Heading1")
                            .align(AlignmentType::Center)
                            .add_run(Run::new().add_text(line)),
                    );
                }
                paragraphs.push(empty());
            }
            Block::Heading(text) => paragraphs.push(
                Paragraph::new()
                    .style("Heading2")
                    .keep_next(true)
                    .line_spacing(LineSpacing::new().before(240).after(120))
                    .add_run(Run::new().add_text(text)),
            ),
            Block::Subheading(text) => paragraphs.push(
                Paragraph::new()
                    .style("Heading3")
                    .keep_next(true)
                    .line_spacing(LineSpacing::new().before(120).after(60))
                    .add_run(Run::new().add_text(text)),
            ),
            Block::Paragraph(p) => paragraphs.push(para(p)),
            Block::List { numbered, items } => {
                for (i, item) in items.iter().enumerate() {
                    let mark = if *numbered {
                        format!("{}.", i + 1)
                    } else {
                        "–".to_owned()
                    };
                    paragraphs.push(
                        Paragraph::new()
                            .align(AlignmentType::Both)
                            .indent(
                                Some(INDENT + 360),
                                Some(SpecialIndentType::Hanging(360)),
                                None,
                                None,
                            )
                            .add_run(run(&format!("{mark}\t{item}"), BODY)),
                    );
                }
            }
            Block::Table(t) => {
                if let Some(caption) = &t.caption {
                    paragraphs.push(
                        Paragraph::new()
                            .align(AlignmentType::Right)
                            .keep_next(true)
                            .line_spacing(LineSpacing::new().before(120).after(60))
                            .add_run(run(caption, SMALL).italic()),
                    );
                }
                table = Some(data_table(t, width));
            }
            Block::Split { left, right } => {
                let cell = |text: &str, align: AlignmentType| {
                    TableCell::new()
                        .width(width / 2, WidthType::Dxa)
                        .add_paragraph(Paragraph::new().align(align).add_run(run(text, BODY)))
                };
                table = Some(
                    DocxTable::without_borders(vec![TableRow::new(vec![
                        cell(left, AlignmentType::Left),
                        cell(right, AlignmentType::Right),
                    ])])
                    .set_grid(vec![width / 2, width / 2])
                    .width(width, WidthType::Dxa)
                    .layout(TableLayoutType::Fixed),
                );
            }
            Block::Signatures(signatures) => {
                let grid = vec![width * 45 / 100, width * 25 / 100, width * 30 / 100];
                let rows = signatures
                    .iter()
                    .map(|s| {
                        let cell = |i: usize, text: &str, align: AlignmentType, size: usize| {
                            TableCell::new()
                                .width(grid[i], WidthType::Dxa)
                                .vertical_align(VAlignType::Bottom)
                                .add_paragraph(
                                    Paragraph::new()
                                        .align(align)
                                        .line_spacing(LineSpacing::new().before(200))
                                        .add_run(run(text, size)),
                                )
                        };
                        TableRow::new(vec![
                            cell(0, &s.role, AlignmentType::Left, SMALL),
                            cell(1, "________________", AlignmentType::Center, SMALL),
                            cell(2, &s.name, AlignmentType::Left, SMALL),
                        ])
                        .cant_split()
                    })
                    .collect();
                table = Some(
                    DocxTable::without_borders(rows)
                        .set_grid(grid.clone())
                        .width(width, WidthType::Dxa)
                        .layout(TableLayoutType::Fixed),
                );
            }
            Block::Bars(bars) => table = Some(bar_table(bars, width)),
            Block::Spacer => paragraphs.push(empty()),
            Block::PageBreak => {
                page_break_next = true;
                continue;
            }
        }
        if page_break_next {
            // The next block starts a page: a break before its first paragraph, or (before a
            // table) a paragraph of its own carrying the break.
            if let Some(first) = paragraphs.first_mut() {
                *first = std::mem::take(first).page_break_before(true);
            } else {
                docx = docx.add_paragraph(Paragraph::new().page_break_before(true));
            }
            page_break_next = false;
        }
        for p in paragraphs {
            docx = docx.add_paragraph(p);
        }
        if let Some(t) = table {
            docx = docx.add_table(t);
            // Two tables in a row would merge into one: keep a paragraph between them.
            docx = docx.add_paragraph(Paragraph::new().add_run(Run::new().size(NOTE)));
        }
    }
    let mut out = std::io::Cursor::new(Vec::new());
    // Packing into memory fails only on an I/O error of the cursor, which cannot happen.
    docx.build()
        .pack(&mut out)
        .map(|()| out.into_inner())
        .unwrap_or_default()
}

fn fonts() -> RunFonts {
    RunFonts::new()
        .ascii(FONT)
        .hi_ansi(FONT)
        .cs(FONT)
        .east_asia(FONT)
}

fn heading_style(id: &str, name: &str, level: usize, size: usize) -> Style {
    Style::new(id, StyleType::Paragraph)
        .name(name)
        .based_on("Normal")
        .next("Normal")
        .q_format(true)
        .fonts(fonts())
        .size(size)
        .bold()
        .outline_lvl(level)
        .align(if level == 0 {
            AlignmentType::Center
        } else {
            AlignmentType::Left
        })
}

fn run(text: &str, size: usize) -> Run {
    let mut r = Run::new().size(size).fonts(fonts());
    // A line break inside a text becomes a real break.
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            r = r.add_break(docx_rs::BreakType::TextWrapping);
        }
        r = r.add_text(line);
    }
    r
}

fn empty() -> Paragraph {
    Paragraph::new()
}

fn para(p: &Para) -> Paragraph {
    let size = if p.small { SMALL } else { BODY };
    let mut out = Paragraph::new();
    out = match p.align {
        Align::Left => out.align(AlignmentType::Left),
        Align::Center => out.align(AlignmentType::Center),
        Align::Right => out.align(AlignmentType::Right),
        Align::Body => out.align(AlignmentType::Both).indent(
            None,
            Some(SpecialIndentType::FirstLine(INDENT)),
            None,
            None,
        ),
    };
    for span in &p.spans {
        let mut r = run(&span.text, size);
        if span.bold {
            r = r.bold();
        }
        if span.italic {
            r = r.italic();
        }
        out = out.add_run(r);
    }
    out
}

/// Slots of a bar: a bar is drawn as this many cells' worth of shading (5 % each).
const BAR_SLOTS: usize = 20;

/// A bar chart as a borderless table: the label, the bar (shaded cells spanning the share of
/// twenty slots, the rest left white inside a frame) and «30 из 40 (75 %)».
fn bar_table(bars: &[crate::tree::Bar], width: usize) -> DocxTable {
    let (label, text) = (width * 34 / 100, width * 26 / 100);
    let slot = (width - label - text) / BAR_SLOTS;
    let mut grid = vec![label];
    grid.extend(std::iter::repeat_n(slot, BAR_SLOTS));
    grid.push(text);
    // The bar's frame: top and bottom on every part, the sides at the bar's two ends.
    let frame = |left: bool, right: bool| {
        use docx_rs::TableCellBorderPosition as Side;
        let border = |position| {
            docx_rs::TableCellBorder::new(position)
                .border_type(BorderType::Single)
                .size(4)
                .color("000000")
        };
        let mut borders = docx_rs::TableCellBorders::with_empty()
            .set(border(Side::Top))
            .set(border(Side::Bottom));
        if left {
            borders = borders.set(border(Side::Left));
        }
        if right {
            borders = borders.set(border(Side::Right));
        }
        borders
    };
    let rows = bars
        .iter()
        .map(|b| {
            let filled = (b.percent() as usize * BAR_SLOTS + 50) / 100;
            let text_cell = |w: usize, t: &str| {
                TableCell::new()
                    .width(w, WidthType::Dxa)
                    .vertical_align(VAlignType::Center)
                    .add_paragraph(Paragraph::new().add_run(run(t, SMALL)))
            };
            let mut cells = vec![text_cell(label, &b.label)];
            if filled > 0 {
                cells.push(
                    TableCell::new()
                        .width(slot * filled, WidthType::Dxa)
                        .grid_span(filled)
                        .set_borders(frame(true, filled == BAR_SLOTS))
                        .shading(Shading::new().fill("2F5597"))
                        .add_paragraph(Paragraph::new()),
                );
            }
            if filled < BAR_SLOTS {
                cells.push(
                    TableCell::new()
                        .width(slot * (BAR_SLOTS - filled), WidthType::Dxa)
                        .grid_span(BAR_SLOTS - filled)
                        .set_borders(frame(filled == 0, true))
                        .add_paragraph(Paragraph::new()),
                );
            }
            cells.push(text_cell(text, &b.text()));
            TableRow::new(cells).cant_split()
        })
        .collect();
    DocxTable::without_borders(rows)
        .set_grid(grid)
        .width(width, WidthType::Dxa)
        .layout(TableLayoutType::Fixed)
}

fn data_table(t: &Table, width: usize) -> DocxTable {
    let total: u32 = t.columns.iter().map(|c| c.width).sum::<u32>().max(1);
    let grid: Vec<usize> = t
        .columns
        .iter()
        .map(|c| width * c.width as usize / total as usize)
        .collect();
    let cell = |i: usize, text: &str, bold: bool, center: bool| {
        let mut c = TableCell::new().width(grid[i], WidthType::Dxa);
        for line in text.split('\n') {
            let mut r = run(line, SMALL);
            if bold {
                r = r.bold();
            }
            let p = Paragraph::new().align(if center {
                AlignmentType::Center
            } else {
                AlignmentType::Left
            });
            c = c.add_paragraph(p.add_run(r));
        }
        c
    };
    let mut rows = vec![
        TableRow::new(
            t.columns
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    cell(i, &c.title, true, true)
                        .vertical_align(VAlignType::Center)
                        .shading(Shading::new().fill("EDEDED"))
                })
                .collect(),
        )
        .cant_split(),
    ];
    for row in &t.rows {
        rows.push(match row {
            Row::Cells(cells) => TableRow::new(
                (0..t.columns.len())
                    .map(|i| {
                        let text = cells.get(i).map(String::as_str).unwrap_or("");
                        // The first column is a number when it is narrow: centre it.
                        cell(i, text, false, i == 0 && t.columns[0].width <= 6)
                    })
                    .collect(),
            )
            .cant_split(),
            Row::Group(title) => TableRow::new(vec![
                TableCell::new()
                    .width(width, WidthType::Dxa)
                    .grid_span(t.columns.len())
                    .add_paragraph(Paragraph::new().add_run(run(title, SMALL).bold().italic())),
            ]),
        });
    }
    DocxTable::new(rows)
        .set_grid(grid)
        .width(width, WidthType::Dxa)
        .layout(TableLayoutType::Fixed)
        .margins(TableCellMargins::new().margin(40, 80, 40, 80))
}
