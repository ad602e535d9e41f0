//! Limits on hostile input, and the helpers that keep errors about such input to one short,
//! printable line.
//!
//! Every reader of a file someone else wrote goes through these: a depth limit before a tree is
//! built (deep nesting overflows the stack of recursive code, and makes YAML parsing quadratic),
//! a file-type check before a file is opened (a FIFO blocks forever, `/dev/zero` never ends),
//! size limits where bytes are decompressed, and quoting that escapes control characters and
//! terminal escape sequences and bounds what is quoted.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// XML elements deeper than this are refused. DISA's formats nest about 10-20 levels (an SCAP
/// data stream a little more); the tree and the code that walks it are recursive.
pub const MAX_XML_DEPTH: usize = 256;

/// YAML collections deeper than this are refused before parsing: it is serde_yaml_ng's own
/// recursion limit (and serde_json's), so no document that would parse is refused, and the
/// parser's time, which grows with the square of the flow depth, is never spent.
pub const MAX_YAML_DEPTH: usize = 128;

/// A file read whole into memory (XCCDF, CCI list, CKL, policy, host evidence, a STIG zip) may
/// be at most this big: the largest DISA file is an SCAP data stream of a few tens of MB.
pub const MAX_INPUT_BYTES: u64 = 256 << 20;

/// A hand-written YAML file (the site policy, host evidence) may be at most this big.
pub const MAX_YAML_BYTES: u64 = 16 << 20;

/// An entry of a STIG zip may decompress to at most this: DISA's XCCDF files are a few MB.
pub const MAX_ZIP_ENTRY_BYTES: u64 = 64 << 20;

/// All the entries decompressed from one zip, together.
pub const MAX_ZIP_TOTAL_BYTES: u64 = 128 << 20;

/// At most this many characters of input are quoted in an error.
pub const QUOTE_CHARS: usize = 200;

/// An error message (with what it quotes) is cut at this many characters.
pub const MESSAGE_CHARS: usize = 1000;

fn needs_escape(c: char) -> bool {
    // Control characters (C0, DEL, C1: ESC and CSI start terminal escape sequences) and the
    // bidirectional overrides, which reorder what a terminal shows.
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn push_escaped(out: &mut String, c: char) {
    if needs_escape(c) {
        out.extend(c.escape_debug());
    } else {
        out.push(c);
    }
}

/// Input text as it may appear in an error: control characters escaped (`\u{1b}`), at most
/// [`QUOTE_CHARS`] characters, a cut marked with `…`.
pub fn quote(s: &str) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i == QUOTE_CHARS {
            out.push('…');
            break;
        }
        push_escaped(&mut out, c);
    }
    out
}

/// A path as it may appear in an error: control characters escaped, and a long path cut at
/// the front so the file name stays.
pub fn path(p: &Path) -> String {
    const KEEP: usize = 2 * QUOTE_CHARS;
    let s = p.display().to_string();
    let n = s.chars().count();
    if n <= KEEP {
        return quote_unbounded(&s);
    }
    format!("…{}", quote_unbounded(&s.chars().skip(n - KEEP).collect::<String>()))
}

fn quote_unbounded(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        push_escaped(&mut out, c);
    }
    out
}

/// Another library's error message (serde, quick-xml, zip, I/O), made safe to print: control
/// characters escaped, each quoted span (between backticks or double quotes, as serde and
/// quick-xml quote input) cut at [`QUOTE_CHARS`], the whole at [`MESSAGE_CHARS`]; on one line.
pub fn message(msg: &str) -> String {
    let mut out = String::new();
    let mut total = 0;
    // The open quote and how many characters of the span were seen.
    let mut span: Option<(char, usize)> = None;
    let mut escaped = false;
    for c in msg.chars() {
        if total >= MESSAGE_CHARS {
            out.push('…');
            break;
        }
        match span {
            Some((q, _)) if c == q && !escaped => {
                span = None;
                out.push(c);
                total += 1;
            }
            Some((q, n)) => {
                escaped = q == '"' && c == '\\' && !escaped;
                if n < QUOTE_CHARS {
                    push_escaped(&mut out, c);
                    total += 1;
                } else if n == QUOTE_CHARS {
                    out.push('…');
                    total += 1;
                }
                span = Some((q, n + 1));
            }
            None => {
                if c == '`' || c == '"' {
                    span = Some((c, 0));
                    escaped = false;
                }
                push_escaped(&mut out, c);
                total += 1;
            }
        }
    }
    out
}

/// Refuses YAML whose collections nest deeper than `max`, cheaply and before any parser sees it.
///
/// The depth counted is that of flow collections (`[`, `{`) plus that of block collections (one
/// level per key or `- ` / `? ` at a deeper column, as in `a:` over `  b:`, or `- - - x`).
/// Quoted scalars, comments and block scalars (`|`, `>`) are skipped, and outside flow
/// collections a bracket counts only where a token starts (where a YAML scanner would open a
/// collection), so text does not count. The count may be a little above what a parser sees,
/// never below it for a flow collection.
pub fn check_yaml_depth(text: &str, max: usize) -> Result<(), String> {
    let too_deep = |line: usize, col: usize| {
        Err(format!(
            "collections nest deeper than {max} levels (at line {line}, column {col}); refused before parsing, since parsing takes time growing with the square of the depth"
        ))
    };
    let mut flow = 0usize;
    // The block collections open here, innermost last: column, and whether a sequence (an
    // "indentless" sequence shares its column with the mapping it is in).
    let mut block: Vec<(usize, bool)> = Vec::new();
    // A quoted scalar may go on over lines: its quote, while one is open.
    let mut quoted: Option<char> = None;
    // While a block scalar is open: the column its lines must be indented beyond (-1: any).
    let mut block_scalar: Option<isize> = None;
    // The previous line ended in a plain scalar (outside flow collections), which the next,
    // more indented lines continue.
    let mut plain_open = false;
    for (lineno, line) in text.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let indent = line.bytes().take_while(|b| *b == b' ').count();
        let rest = line[indent..].trim_start_matches([' ', '\t']);
        let blank = rest.is_empty() || rest.starts_with('#');
        let marker = quoted.is_none() && (line.starts_with("---") || line.starts_with("...")) && line[3..].chars().next().is_none_or(|c| c == ' ' || c == '\t');
        if let Some(parent) = block_scalar {
            if !marker && (blank || indent as isize > parent) {
                continue;
            }
            block_scalar = None;
        }
        if plain_open {
            // A plain scalar may go on over more indented lines: `- a` over `  [b`.
            if !marker && (rest.is_empty() || indent as isize > block.last().map_or(-1, |&(c, _)| c as isize)) {
                if rest.starts_with('#') || line.contains(" #") || line.contains("\t#") {
                    plain_open = false;
                }
                continue;
            }
        }
        let mut i = 0;
        if marker {
            block.clear();
            flow = 0;
            i = 3;
        } else if quoted.is_none() && flow == 0 && !blank {
            while block.last().is_some_and(|&(c, _)| c > indent) {
                block.pop();
            }
        }
        let chars: Vec<char> = line.chars().collect();
        // Whether a token may start here (a collection, a quoted or block scalar), and where the
        // current token started (a key's column).
        let mut token_start = true;
        let mut token_col = 0;
        let mut prev_space = true;
        // The last token was a quoted scalar or a flow collection: a `:` right after it is a
        // value indicator also in flow context (`{"a":1}`).
        let mut json_key = false;
        // The last token is a plain scalar.
        let mut plain = false;
        let mut comment = false;
        while i < chars.len() {
            let c = chars[i];
            if let Some(q) = quoted {
                if c == q {
                    if q == '\'' && chars.get(i + 1) == Some(&'\'') {
                        i += 2;
                        continue;
                    }
                    quoted = None;
                    json_key = true;
                } else if q == '"' && c == '\\' {
                    i += 1;
                }
                i += 1;
                continue;
            }
            if c == ' ' || c == '\t' {
                prev_space = true;
                i += 1;
                continue;
            }
            let after_space = std::mem::replace(&mut prev_space, false);
            let after_json = std::mem::replace(&mut json_key, false);
            if token_start {
                token_col = i;
            }
            let next = chars.get(i + 1).copied();
            let next_blank = next.is_none_or(|n| n == ' ' || n == '\t');
            match c {
                '#' if after_space => {
                    comment = true;
                    break;
                }
                '\'' | '"' if token_start => {
                    quoted = Some(c);
                    token_start = false;
                    plain = false;
                }
                // Anchors and tags come before a node: the node's token starts after them.
                '&' | '!' if token_start => {
                    while i + 1 < chars.len() && !matches!(chars[i + 1], ' ' | '\t' | '[' | ']' | '{' | '}' | ',') {
                        i += 1;
                    }
                }
                '[' | '{' if token_start || flow > 0 => {
                    plain = false;
                    flow += 1;
                    if flow + block.len() > max {
                        return too_deep(lineno + 1, i + 1);
                    }
                    token_start = true;
                }
                ']' | '}' if flow > 0 => {
                    plain = false;
                    flow -= 1;
                    token_start = false;
                    json_key = true;
                }
                ',' if flow > 0 => token_start = true,
                '|' | '>' if token_start && flow == 0 => {
                    block_scalar = Some(block.last().map_or(-1, |&(c, _)| c as isize));
                    break;
                }
                '-' | '?' if token_start && flow == 0 && next_blank => {
                    plain = false;
                    let entry = (i, c == '-');
                    if block.last() != Some(&entry) {
                        block.push(entry);
                        if block.len() > max {
                            return too_deep(lineno + 1, i + 1);
                        }
                    }
                }
                ':' if next_blank || (flow > 0 && (after_json || next.is_some_and(|n| ",[]{}".contains(n)))) => {
                    if flow == 0 {
                        // A key at an indentless sequence's column ends that sequence.
                        if block.last() == Some(&(token_col, true)) {
                            block.pop();
                        }
                        if block.last() != Some(&(token_col, false)) {
                            block.push((token_col, false));
                            if block.len() > max {
                                return too_deep(lineno + 1, token_col + 1);
                            }
                        }
                    }
                    token_start = true;
                    plain = false;
                }
                _ => {
                    token_start = false;
                    plain = true;
                }
            }
            i += 1;
        }
        plain_open = plain && !comment && flow == 0 && quoted.is_none() && block_scalar.is_none();
    }
    Ok(())
}

/// What a file is, for an error that refuses it.
fn kind(ft: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if ft.is_char_device() {
            return "a character device";
        }
        if ft.is_block_device() {
            return "a block device";
        }
        if ft.is_socket() {
            return "a socket";
        }
    }
    if ft.is_dir() {
        return "a directory";
    }
    "something else"
}

fn not_regular(ft: &std::fs::FileType) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, format!("it is {}, not a regular file; refused", kind(ft)))
}

/// Opens a regular file for reading, following symlinks; anything else (a FIFO, whose opening
/// would block; a device such as `/dev/zero`, which never ends; a directory) is refused with an
/// error of kind `InvalidInput`. A missing file is `NotFound`, as from `File::open`.
pub fn open_regular(path: &Path) -> io::Result<File> {
    // Checked before opening: opening a FIFO for reading blocks until a writer comes.
    let ft = std::fs::metadata(path)?.file_type();
    if !ft.is_file() {
        return Err(not_regular(&ft));
    }
    let file = File::open(path)?;
    // And again on what was opened, in case the path changed in between.
    let ft = file.metadata()?.file_type();
    if !ft.is_file() {
        return Err(not_regular(&ft));
    }
    Ok(file)
}

/// Reads a whole regular file of at most `max` bytes (see [`open_regular`]).
pub fn read_file(path: &Path, max: u64) -> io::Result<Vec<u8>> {
    let file = open_regular(path)?;
    let len = file.metadata()?.len();
    let too_big = |n: u64| io::Error::new(io::ErrorKind::InvalidData, format!("{n} bytes, more than this input can be ({} MiB); refused", max >> 20));
    if len > max {
        return Err(too_big(len));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    // Bounded even if the file grows while it is read.
    file.take(max.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(too_big(bytes.len() as u64));
    }
    Ok(bytes)
}

/// [`read_file`] as UTF-8 text (an error of kind `InvalidData` otherwise).
pub fn read_to_string(path: &Path, max: u64) -> io::Result<String> {
    String::from_utf8(read_file(path, max)?).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("not UTF-8 text (invalid byte at offset {})", e.utf8_error().valid_up_to())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_escapes_and_bounds() {
        assert_eq!(quote("a\u{1b}[31mb\n"), "a\\u{1b}[31mb\\n");
        assert_eq!(quote("\u{9b}\u{202e}"), "\\u{9b}\\u{202e}");
        let long = "x".repeat(1000);
        assert_eq!(quote(&long).chars().count(), QUOTE_CHARS + 1);
        let m = message(&format!("unknown field `{long}`, expected `a`"));
        assert!(m.starts_with("unknown field `xxx") && m.ends_with("…`, expected `a`"), "{m}");
        let m = message(&format!("invalid value: string \"a\\\"{long}\", expected x"));
        assert!(m.ends_with("…\", expected x"), "{m}");
        assert!(message(&"y".repeat(5000)).chars().count() <= MESSAGE_CHARS + 1);
        assert_eq!(message("line 1:\u{1b}]0;title\u{7}"), "line 1:\\u{1b}]0;title\\u{7}");
    }

    #[test]
    fn yaml_depth_counts_collections_not_text() {
        let ok = |t: &str| check_yaml_depth(t, 4).unwrap_or_else(|e| panic!("{t:?}: {e}"));
        let deep = |t: &str| assert!(check_yaml_depth(t, 4).is_err(), "{t:?} passed");
        ok("a: [[[1]]]\n");
        deep("a: [[[[1]]]]\n");
        deep("{a: {a: {a: {a: {a: 1}}}}}");
        ok("a: 'x[[[[[['\nb: \"[[[[[\\\"[[[\"\nc: x[[[[[[ # [[[[[[\n");
        ok("d: |\n  [[[[[[[[\n  {{{{{{{{\ne: >\n  - - - - - -\n");
        ok("a:\n  b:\n    c: 1\n  d: 2\ne: 3\n");
        deep("a:\n  b:\n    c:\n      d:\n        e: 1\n");
        deep("- - - - - x\n");
        ok("- - - x\n- - - y\n");
        ok("a: [[x], [y], [z], [w], [v]]\n");
        ok("url: http://a/b?c=[1]\n");
        let n = 100_000;
        let e = check_yaml_depth(&format!("x: {}{}", "[".repeat(n), "]".repeat(n)), MAX_YAML_DEPTH).unwrap_err();
        assert!(e.contains("deeper than 128") && e.contains("line 1, column 131"), "{e}");
    }
}
