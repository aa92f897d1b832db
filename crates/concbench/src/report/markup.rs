//! The bottom of the report layer: escaping for each format, and one [`Table`] with one
//! renderer per format (plain text, Markdown, HTML). Every section builds its tables as a
//! [`Table`] and leaves their drawing here, so a cell is escaped in one place.

use std::fmt::Write as _;

use comfy_table::Cell;

use crate::output::terminal::{new_table, right};

/// A table as text cells: a header, the rows, and per row what the formats need besides
/// the text (its status, its language, how plain text aligns its cells).
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// Column names.
    pub header: Vec<String>,
    /// Rows of cells, as long as the header.
    pub rows: Vec<Vec<String>>,
    /// Per row, the status class of the row (`valid`, `failed`, `skipped`, `racy`, ...): the
    /// HTML colours rows by it. May be shorter than `rows`.
    pub status: Vec<String>,
    /// Per row, the language of the row's model: the HTML puts its colour beside the
    /// `model` cell. May be empty.
    pub langs: Vec<String>,
    /// Per row, the anchor on the HTML page its first cell links to. May be empty.
    pub links: Vec<String>,
    /// Per row, which cells plain text right-aligns (numbers). Missing: left.
    pub right: Vec<Vec<bool>>,
}

impl Table {
    /// An empty table with these column names.
    pub fn new<S: Into<String>>(header: impl IntoIterator<Item = S>) -> Table {
        Table {
            header: header.into_iter().map(Into::into).collect(),
            ..Table::default()
        }
    }

    /// Adds a row whose cells say how plain text aligns them (`true`: right).
    pub fn push_aligned(&mut self, cells: Vec<(String, bool)>) {
        let (text, right) = cells.into_iter().unzip();
        self.rows.push(text);
        self.right.push(right);
    }

    /// Right-aligns in plain text every cell after the first that starts with a digit.
    pub fn right_align_numbers(&mut self) {
        self.right = self
            .rows
            .iter()
            .map(|row| {
                row.iter()
                    .enumerate()
                    .map(|(c, cell)| c > 0 && cell.starts_with(|ch: char| ch.is_ascii_digit()))
                    .collect()
            })
            .collect();
    }

    /// Right-aligns in plain text every cell of the columns not in `left`.
    pub fn right_align_except(&mut self, left: &[usize]) {
        self.right = self
            .rows
            .iter()
            .map(|row| (0..row.len()).map(|c| !left.contains(&c)).collect())
            .collect();
    }
}

/// The table for a terminal, in the style of every concbench table.
pub fn text(t: &Table) -> String {
    let mut out = new_table(t.header.iter().map(String::as_str).collect());
    for (k, row) in t.rows.iter().enumerate() {
        let aligned = t.right.get(k);
        out.add_row(row.iter().enumerate().map(|(c, cell)| {
            if aligned.and_then(|r| r.get(c)).copied().unwrap_or(false) {
                right(cell.clone())
            } else {
                Cell::new(cell)
            }
        }));
    }
    out.to_string()
}

/// A cell's text made safe inside a Markdown table: pipes escaped, line breaks flattened.
pub fn md_cell(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}

/// A GitHub-flavoured Markdown table; numeric-looking columns are right-aligned.
pub fn markdown(t: &Table) -> String {
    let mut out = String::new();
    let head: Vec<String> = t.header.iter().map(|h| md_cell(h)).collect();
    out += &format!("| {} |\n", head.join(" | "));
    let align: Vec<&str> = t
        .header
        .iter()
        .enumerate()
        .map(|(c, _)| {
            let numeric = t.rows.iter().all(|r| {
                r.get(c).is_some_and(|v| {
                    v == "—" || v.starts_with(|ch: char| ch.is_ascii_digit() || ch == '≤')
                })
            });
            if numeric && !t.rows.is_empty() {
                "--:"
            } else {
                "---"
            }
        })
        .collect();
    out += &format!("|{}|\n", align.join("|"));
    for row in &t.rows {
        let cells: Vec<String> = row.iter().map(|c| md_cell(c)).collect();
        out += &format!("| {} |\n", cells.join(" | "));
    }
    out
}

/// Text made safe in HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An id for an HTML anchor: letters, digits and dashes.
pub fn slug(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

/// A field quoted as RFC 4180 wants it, where it needs to be.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The colour of a language, the same in every chart and table, as (red, green, blue): its
/// description's `colour` (suite/languages.toml); grey for a name the table does not know.
pub fn lang_rgb(lang: &str) -> (u8, u8, u8) {
    crate::catalogue::Lang::named(lang).map_or((0x77, 0x77, 0x77), |l| l.info().rgb())
}

/// The colour of a language as CSS writes it: `#0077bb`.
pub fn lang_hex(lang: &str) -> String {
    let (r, g, b) = lang_rgb(lang);
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// A coloured square naming a language, for a key or a `model` cell.
fn swatch(lang: &str) -> String {
    format!(
        "<span class=\"lang\" style=\"--swatch:{}\" title=\"{}\"></span>",
        lang_hex(lang),
        escape(lang)
    )
}

/// A figure's cell: "30.392 ms (23.837 ms–30.746 ms)" keeps its value on one line and lets
/// its CI (in parentheses or brackets) go to the next (`.ci`), so a table of figures wraps
/// where it can still be read.
fn figure(cell: &str) -> String {
    match [" (", " ["].iter().filter_map(|p| cell.find(p)).min() {
        Some(i) => format!(
            "{}<span class=\"ci\">{}</span>",
            escape(&cell[..i]),
            escape(&cell[i..])
        ),
        None => escape(cell),
    }
}

/// One cell of a row in HTML: the first as a link where the row has one, a `model` with
/// its language's colour, figures right-aligned.
fn html_cell(t: &Table, k: usize, c: usize, cell: &str) -> String {
    let head = t.header.get(c).map(String::as_str).unwrap_or("");
    if let Some(anchor) = t.links.get(k).filter(|_| c == 0) {
        return format!(
            "<th scope=\"row\"><a href=\"#{}\">{}</a></th>",
            escape(anchor),
            escape(cell)
        );
    }
    if head == "model" {
        let mark = t.langs.get(k).map(|l| swatch(l)).unwrap_or_default();
        return format!("<td>{mark}{}</td>", escape(cell));
    }
    if cell.starts_with(|ch: char| ch.is_ascii_digit() || ch == '≤') {
        return format!("<td class=\"num\">{}</td>", figure(cell));
    }
    format!("<td>{}</td>", escape(cell))
}

/// The table in HTML, with the CSS class `class`, inside a container that scrolls sideways
/// only where the screen is too narrow for it (a phone): numeric cells are right-aligned,
/// and a `model` cell shows its language's colour. A `notes` column is drawn under its row,
/// across the table, so that long notes make the table taller, not wider.
pub fn html(t: &Table, class: &str) -> String {
    let mut out = String::from("<div class=\"scroll\"><table");
    if !class.is_empty() {
        let _ = write!(out, " class=\"{}\"", escape(class));
    }
    let notes = t.header.iter().position(|h| h == "notes");
    out.push_str("><thead><tr>");
    for (c, h) in t.header.iter().enumerate() {
        if Some(c) != notes {
            let _ = write!(out, "<th scope=\"col\">{}</th>", escape(h));
        }
    }
    out.push_str("</tr></thead><tbody>\n");
    for (k, row) in t.rows.iter().enumerate() {
        let status = t.status.get(k).map(String::as_str).unwrap_or("");
        let note = notes.and_then(|c| row.get(c)).filter(|n| !n.is_empty());
        let noted = if note.is_some() { " noted" } else { "" };
        let _ = write!(out, "<tr class=\"{}{noted}\">", escape(status));
        for (c, cell) in row.iter().enumerate() {
            if Some(c) != notes {
                out.push_str(&html_cell(t, k, c, cell));
            }
        }
        out.push_str("</tr>\n");
        if let Some(note) = note {
            let _ = writeln!(
                out,
                "<tr class=\"{} note\"><td class=\"notes\" colspan=\"{}\">{}</td></tr>",
                escape(status),
                t.header.len() - 1,
                escape(note)
            );
        }
    }
    out.push_str("</tbody></table></div>\n");
    out
}

/// The key of the languages' colours, one swatch each.
pub fn lang_key(langs: &[&str]) -> String {
    let mut out = String::from("<ul class=\"key\" aria-label=\"colours\">");
    for l in langs {
        let _ = write!(
            out,
            "<li style=\"--swatch:{}\">{}</li>",
            lang_hex(l),
            escape(l)
        );
    }
    out.push_str("</ul>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        let mut t = Table::new(["model", "median", "notes"]);
        t.rows = vec![
            vec!["a|b".into(), "12 ms".into(), "<x> & 'y'".into()],
            vec!["c".into(), "—".into(), String::new()],
        ];
        t.status = vec!["valid".into(), "failed".into()];
        t.langs = vec!["go".into(), "rust".into()];
        t
    }

    #[test]
    fn pipes_in_markdown_cells_do_not_break_the_table() {
        let t = Table {
            header: vec!["a".into(), "b".into()],
            rows: vec![vec!["x|y".into(), "1".into()]],
            ..Table::default()
        };
        assert_eq!(markdown(&t), "| a | b |\n|---|--:|\n| x\\|y | 1 |\n");
        // A column of figures and dashes is right-aligned; one of words is not.
        assert!(markdown(&table()).contains("|---|--:|---|\n"));
    }

    #[test]
    fn html_text_is_escaped() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        let html = html(&table(), "runs");
        // The notes go under their row, across the table.
        assert!(html.contains(
            "<tr class=\"valid noted\"><td><span class=\"lang\" style=\"--swatch:#0077bb\" \
             title=\"go\"></span>a|b</td><td class=\"num\">12 ms</td></tr>\n<tr class=\"valid \
             note\"><td class=\"notes\" colspan=\"2\">&lt;x&gt; &amp; &#39;y&#39;</td></tr>"
        ));
        assert!(!html.contains("<th scope=\"col\">notes</th>"));
        assert!(html.contains("<td class=\"num\">12 ms</td>"));
        let mut t = table();
        t.rows[0][1] = "30.4 ms (23.8 ms–30.7 ms)".into();
        t.rows[1][1] = "0.9× [0.7–1.1]".into();
        let html = super::html(&t, "");
        assert!(html.contains(
            "<td class=\"num\">30.4 ms<span class=\"ci\"> (23.8 ms–30.7 ms)</span></td>"
        ));
        assert!(html.contains("<td class=\"num\">0.9×<span class=\"ci\"> [0.7–1.1]</span></td>"));
        assert!(html
            .contains("<tr class=\"failed\"><td><span class=\"lang\" style=\"--swatch:#009988\""));
    }

    #[test]
    fn plain_text_aligns_the_cells_it_is_told_to() {
        let mut t = table();
        t.right_align_numbers();
        assert_eq!(t.right, [[false, true, false], [false, false, false]]);
        t.right_align_except(&[0]);
        assert_eq!(t.right[1], [false, true, true]);
        let text = text(&t);
        // The dash is right-aligned under "median".
        assert!(text.contains("│ c     ┆      — ┆"), "{text}");
    }

    #[test]
    fn csv_fields_are_quoted_only_where_they_must_be() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,\"b\""), "\"a,\"\"b\"\"\"");
    }
}
