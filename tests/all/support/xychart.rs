//! A strict parser of the Mermaid `xychart-beta` subset the gate writes, so tests check the chart
//! is well formed (every statement known, every line as long as the axis, every value on the
//! chart), not only that a block is there. Written from Mermaid's documented grammar: an optional
//! `%%{init: JSON}%%` directive, `xychart-beta`, then `title "…"`, `x-axis "…" [labels]`,
//! `y-axis "…" MIN --> MAX` and `line [numbers]` statements.

use serde_json::Value;

/// A parsed chart.
#[derive(Debug, Clone, PartialEq)]
pub struct XyChart {
    /// Line colours from the init directive, in order.
    pub palette: Vec<String>,
    /// The title.
    pub title: String,
    /// The x axis's title.
    pub x_title: String,
    /// The x axis's categories.
    pub categories: Vec<String>,
    /// The y axis's title.
    pub y_title: String,
    /// The y axis's range.
    pub y_range: (f64, f64),
    /// Each line's values.
    pub lines: Vec<Vec<f64>>,
}

/// The body of the first fenced ```mermaid block of a Markdown text.
pub fn mermaid_block(markdown: &str) -> Option<String> {
    let start = markdown.find("```mermaid\n")? + "```mermaid\n".len();
    let length = markdown[start..].find("\n```")?;
    Some(markdown[start..start + length].to_owned())
}

/// Parses a chart, refusing anything outside the subset or inconsistent.
pub fn parse(block: &str) -> Result<XyChart, String> {
    let mut lines = block.lines().map(str::trim).filter(|l| !l.is_empty());
    let mut first = lines.next().ok_or("an empty block")?;
    let mut palette = Vec::new();
    if let Some(directive) = first.strip_prefix("%%{") {
        palette = parse_init(
            directive
                .strip_suffix("}%%")
                .ok_or("an unclosed directive")?,
        )?;
        first = lines.next().ok_or("no chart after the directive")?;
    }
    if first != "xychart-beta" {
        return Err(format!("expected xychart-beta, got {first:?}"));
    }
    let (mut title, mut x_axis, mut y_axis, mut series) = (None, None, None, Vec::new());
    for line in lines {
        let (keyword, rest) = line
            .split_once(' ')
            .ok_or(format!("a bare word: {line:?}"))?;
        let mut tokens = Tokens(rest.trim());
        match keyword {
            "title" if title.is_none() => title = Some(tokens.quoted()?),
            "x-axis" if x_axis.is_none() => x_axis = Some((tokens.quoted()?, tokens.list()?)),
            "y-axis" if y_axis.is_none() => {
                let name = tokens.quoted()?;
                let low = tokens.number()?;
                tokens.arrow()?;
                y_axis = Some((name, (low, tokens.number()?)));
            }
            "line" => series.push(numbers(&tokens.list()?)?),
            _ => return Err(format!("an unknown or repeated statement: {line:?}")),
        }
        tokens.end()?;
    }
    let title = title.ok_or("no title")?;
    let (x_title, categories) = x_axis.ok_or("no x-axis")?;
    let (y_title, (low, high)) = y_axis.ok_or("no y-axis")?;
    if low >= high {
        return Err(format!("an empty y range {low} --> {high}"));
    }
    if series.is_empty() {
        return Err("no line".into());
    }
    for values in &series {
        if values.len() != categories.len() {
            return Err(format!(
                "a line of {} values over {} categories",
                values.len(),
                categories.len()
            ));
        }
        if let Some(off) = values.iter().find(|v| **v < low || **v > high) {
            return Err(format!("{off} is off the y axis {low} --> {high}"));
        }
    }
    if !palette.is_empty() && palette.len() < series.len() {
        return Err("fewer colours than lines".into());
    }
    Ok(XyChart {
        palette,
        title,
        x_title,
        categories,
        y_title,
        y_range: (low, high),
        lines: series,
    })
}

/// `init: {"themeVariables": {"xyChart": {"plotColorPalette": "#…, #…"}}}` → the colours.
fn parse_init(directive: &str) -> Result<Vec<String>, String> {
    let json = directive
        .trim()
        .strip_prefix("init:")
        .ok_or("a directive other than init")?;
    let config: Value = serde_json::from_str(json).map_err(|e| format!("init is not JSON: {e}"))?;
    let palette = config
        .pointer("/themeVariables/xyChart/plotColorPalette")
        .and_then(Value::as_str)
        .ok_or("no plotColorPalette")?;
    palette
        .split(',')
        .map(|colour| {
            let colour = colour.trim();
            let hex = colour.strip_prefix('#').unwrap_or("");
            (hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit()))
                .then(|| colour.to_owned())
                .ok_or(format!("{colour:?} is not a #rrggbb colour"))
        })
        .collect()
}

fn numbers(items: &[String]) -> Result<Vec<f64>, String> {
    items
        .iter()
        .map(|item| {
            item.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or(format!("{item:?} is not a number"))
        })
        .collect()
}

/// What is left of a statement to read.
struct Tokens<'a>(&'a str);

impl Tokens<'_> {
    fn skip_space(&mut self) {
        self.0 = self.0.trim_start();
    }

    /// `"text"` with no quote inside.
    fn quoted(&mut self) -> Result<String, String> {
        self.skip_space();
        let rest = self
            .0
            .strip_prefix('"')
            .ok_or(format!("expected a quoted text at {:?}", self.0))?;
        let end = rest.find('"').ok_or("an unclosed quote")?;
        self.0 = &rest[end + 1..];
        Ok(rest[..end].to_owned())
    }

    /// `[a, "b c", 1.5]`: bare words or quoted texts.
    fn list(&mut self) -> Result<Vec<String>, String> {
        self.skip_space();
        let rest = self
            .0
            .strip_prefix('[')
            .ok_or(format!("expected [ at {:?}", self.0))?;
        let end = rest.find(']').ok_or("an unclosed [")?;
        self.0 = &rest[end + 1..];
        let inside = rest[..end].trim();
        if inside.is_empty() {
            return Err("an empty list".into());
        }
        inside
            .split(',')
            .map(|item| {
                let item = item.trim();
                match item.strip_prefix('"') {
                    Some(quoted) => quoted
                        .strip_suffix('"')
                        .filter(|text| !text.contains('"'))
                        .map(str::to_owned)
                        .ok_or(format!("a broken quoted item {item:?}")),
                    None if !item.is_empty() && !item.contains([' ', '"', '[']) => {
                        Ok(item.to_owned())
                    }
                    None => Err(format!("a bad list item {item:?}")),
                }
            })
            .collect()
    }

    fn number(&mut self) -> Result<f64, String> {
        self.skip_space();
        let end = self.0.find(' ').unwrap_or(self.0.len());
        let (word, rest) = self.0.split_at(end);
        self.0 = rest;
        word.parse()
            .map_err(|_| format!("{word:?} is not a number"))
    }

    fn arrow(&mut self) -> Result<(), String> {
        self.skip_space();
        self.0 = self
            .0
            .strip_prefix("-->")
            .ok_or(format!("expected --> at {:?}", self.0))?;
        Ok(())
    }

    fn end(&mut self) -> Result<(), String> {
        self.skip_space();
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(format!("unexpected {:?}", self.0))
        }
    }
}
