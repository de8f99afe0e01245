//! Moving a source map's `mappings` to follow a line break inserted into the generated file.
//!
//! Columns are relative within a line and every other field is relative to the previous segment
//! in the whole string, so a split only re-encodes the first column of the moved part: the rest is
//! copied byte for byte.

/// The mappings are not valid base64 VLQ.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the map's mappings are malformed ({0})")]
pub struct MalformedMappings(pub &'static str);

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Follows a line break inserted at (`line`, `column`) of the generated file (0-based; the column in
/// UTF-16 units): segments of that line at or after the column move to the next line, shifted left
/// by `column`, and every later line moves down by one.
pub fn split_line(mappings: &str, line: usize, column: i64) -> Result<String, MalformedMappings> {
    let Some(start) = line_start(mappings, line) else {
        // The map says nothing about that line or any after it.
        return Ok(mappings.to_owned());
    };
    let end = mappings[start..]
        .find(';')
        .map_or(mappings.len(), |i| start + i);
    let group = &mappings[start..end];
    let mut out = String::with_capacity(mappings.len() + 8);
    out.push_str(&mappings[..start]);
    let mut absolute = 0i64;
    let mut offset = 0;
    let mut moved = None;
    for segment in group.split(',') {
        if !segment.is_empty() {
            let (delta, used) = decode_vlq(segment.as_bytes())?;
            absolute += delta;
            if absolute >= column {
                moved = Some((offset, absolute, used));
                break;
            }
        }
        offset += segment.len() + 1;
    }
    match moved {
        None => {
            out.push_str(group);
            out.push(';');
        }
        Some((offset, absolute, used)) => {
            out.push_str(group[..offset].trim_end_matches(','));
            out.push(';');
            encode_vlq(absolute - column, &mut out);
            out.push_str(&group[offset + used..]);
        }
    }
    out.push_str(&mappings[end..]);
    Ok(out)
}

/// Where generated line `line` starts in the string, if the string reaches it.
fn line_start(mappings: &str, line: usize) -> Option<usize> {
    if line == 0 {
        return Some(0);
    }
    mappings
        .match_indices(';')
        .nth(line - 1)
        .map(|(index, _)| index + 1)
}

/// Reads one VLQ number; returns it and the bytes it took.
fn decode_vlq(bytes: &[u8]) -> Result<(i64, usize), MalformedMappings> {
    let mut value: i64 = 0;
    let mut shift = 0;
    for (index, &byte) in bytes.iter().enumerate() {
        let digit = BASE64
            .iter()
            .position(|&c| c == byte)
            .ok_or(MalformedMappings("a character that is not base64"))? as i64;
        if shift > 60 {
            return Err(MalformedMappings("a number too large"));
        }
        value |= (digit & 0x1f) << shift;
        if digit & 0x20 == 0 {
            let magnitude = value >> 1;
            return Ok((
                if value & 1 == 1 {
                    -magnitude
                } else {
                    magnitude
                },
                index + 1,
            ));
        }
        shift += 5;
    }
    Err(MalformedMappings("a number cut short"))
}

/// Appends one VLQ number.
fn encode_vlq(value: i64, out: &mut String) {
    let mut rest = if value < 0 {
        ((-value) << 1) | 1
    } else {
        value << 1
    };
    loop {
        let mut digit = rest & 0x1f;
        rest >>= 5;
        if rest > 0 {
            digit |= 0x20;
        }
        out.push(BASE64[digit as usize] as char);
        if rest == 0 {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_number_may_take_thirteen_digits_but_not_fourteen() {
        // Twelve continuation digits of zero bits, then a last zero: shifts 0 to 60.
        assert_eq!(decode_vlq(b"ggggggggggggA"), Ok((0, 13)));
        assert_eq!(
            decode_vlq(b"gggggggggggggA"),
            Err(MalformedMappings("a number too large"))
        );
        assert_eq!(
            decode_vlq(b"g"),
            Err(MalformedMappings("a number cut short"))
        );
    }

    /// A segment with absolute values: column, then optionally source, line, column and name.
    type Segment = Vec<i64>;

    fn decode(mappings: &str) -> Vec<Vec<Segment>> {
        let mut previous = [0i64; 5];
        mappings
            .split(';')
            .map(|group| {
                previous[0] = 0;
                group
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(|segment| {
                        let mut bytes = segment.as_bytes();
                        let mut fields = Vec::new();
                        while !bytes.is_empty() {
                            let (delta, used) = decode_vlq(bytes).unwrap();
                            let i = fields.len();
                            previous[i] += delta;
                            fields.push(previous[i]);
                            bytes = &bytes[used..];
                        }
                        fields
                    })
                    .collect()
            })
            .collect()
    }

    fn encode(lines: &[Vec<Segment>]) -> String {
        let mut previous = [0i64; 5];
        let mut out = String::new();
        for (index, line) in lines.iter().enumerate() {
            if index > 0 {
                out.push(';');
            }
            previous[0] = 0;
            for (n, segment) in line.iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                for (i, value) in segment.iter().enumerate() {
                    encode_vlq(value - previous[i], &mut out);
                    previous[i] = *value;
                }
            }
        }
        out
    }

    /// The same split done on decoded positions.
    fn split_decoded(mut lines: Vec<Vec<Segment>>, line: usize, column: i64) -> Vec<Vec<Segment>> {
        if line >= lines.len() {
            return lines;
        }
        let (stay, moved): (Vec<Segment>, Vec<Segment>) =
            lines[line].drain(..).partition(|s| s[0] < column);
        lines[line] = stay;
        let moved = moved
            .into_iter()
            .map(|mut s| {
                s[0] -= column;
                s
            })
            .collect();
        lines.insert(line + 1, moved);
        lines
    }

    #[test]
    fn vlq_reads_and_writes_known_values() {
        for (value, text) in [
            (0, "A"),
            (1, "C"),
            (-1, "D"),
            (15, "e"),
            (16, "gB"),
            (-1000, "x+B"),
        ] {
            let mut out = String::new();
            encode_vlq(value, &mut out);
            assert_eq!(out, text);
            assert_eq!(decode_vlq(text.as_bytes()).unwrap(), (value, text.len()));
        }
        assert!(decode_vlq(b"g").is_err());
        assert!(decode_vlq(b"!").is_err());
    }

    #[test]
    fn splits_a_minified_line_after_a_directive() {
        // Line 0: segments at columns 0, 13 and 20; a break goes in at column 13.
        let mappings = encode(&[vec![vec![0, 0, 0, 0], vec![13, 0, 1, 0], vec![20, 0, 1, 7]]]);
        let split = split_line(&mappings, 0, 13).unwrap();
        assert_eq!(
            decode(&split),
            vec![
                vec![vec![0, 0, 0, 0]],
                vec![vec![0, 0, 1, 0], vec![7, 0, 1, 7]]
            ]
        );
    }

    #[test]
    fn inserting_a_whole_line_adds_an_empty_group() {
        assert_eq!(split_line("AAAA;AACA", 1, 0).unwrap(), "AAAA;;AACA");
        assert_eq!(split_line("AAAA;AACA", 0, 0).unwrap(), ";AAAA;AACA");
        assert_eq!(split_line("AAAA", 5, 0).unwrap(), "AAAA");
        assert_eq!(split_line("", 0, 0).unwrap(), ";");
        assert_eq!(split_line("AAAA", 0, 9).unwrap(), "AAAA;");
    }

    #[test]
    fn refuses_malformed_mappings() {
        assert!(split_line("AAAA,!AAA", 0, 1).is_err());
        assert!(split_line("AAAA,g", 0, 1).is_err());
    }

    fn lines_strategy() -> impl Strategy<Value = Vec<Vec<Segment>>> {
        let segment = (
            0i64..400,
            0i64..5,
            0i64..300,
            0i64..200,
            proptest::option::of(0i64..50),
        )
            .prop_map(|(c, s, l, oc, n)| {
                let mut fields = vec![c, s, l, oc];
                fields.extend(n);
                fields
            });
        let line = proptest::collection::vec(segment, 0..8).prop_map(|mut segments| {
            segments.sort_by_key(|s| s[0]);
            segments
        });
        proptest::collection::vec(line, 1..8)
    }

    proptest! {
        #[test]
        fn splitting_the_text_equals_splitting_the_positions(
            lines in lines_strategy(),
            line in 0usize..9,
            column in 0i64..450,
        ) {
            let mappings = encode(&lines);
            let split = split_line(&mappings, line, column).unwrap();
            prop_assert_eq!(decode(&split), split_decoded(lines, line, column));
        }
    }
}
