//! Fenced code blocks, line by line: for the pre-passes that run on the text before the Markdown
//! parser (containers, includes) and must not read code as syntax.

/// The fence open after `line`, given the one open before it (`(character, length)`). As in
/// CommonMark: three or more backticks or tildes, indented by at most `max_indent` columns, a
/// backtick fence's info string holding no backtick; closed by a run of the same character at
/// least as long, alone on its line.
pub(crate) fn after(
    open: Option<(u8, usize)>,
    line: &str,
    max_indent: usize,
) -> Option<(u8, usize)> {
    let t = line.trim_start();
    let run = |ch: u8| t.bytes().take_while(|&b| b == ch).count();
    if let Some((ch, n)) = open {
        let k = run(ch);
        return if k >= n && t[k..].trim().is_empty() {
            None
        } else {
            open
        };
    }
    let ch = t.bytes().next().filter(|c| matches!(c, b'`' | b'~'))?;
    let k = run(ch);
    let opens =
        k >= 3 && line.len() - t.len() <= max_indent && !(ch == b'`' && t[k..].contains('`'));
    opens.then_some((ch, k))
}

#[cfg(test)]
mod tests {
    use super::after;

    #[test]
    fn fences_open_and_close_as_commonmark_says() {
        assert_eq!(after(None, "```rust", 3), Some((b'`', 3)));
        assert_eq!(after(None, "~~~~", 3), Some((b'~', 4)));
        assert_eq!(after(None, "    ```", 3), None, "indented code");
        assert_eq!(after(None, "    ```", usize::MAX), Some((b'`', 3)));
        assert_eq!(after(None, "``` a`b", 3), None, "inline code");
        assert_eq!(after(None, "``", 3), None);
        let open = Some((b'`', 4));
        assert_eq!(after(open, "```", 3), open, "shorter than the opener");
        assert_eq!(after(open, "````` ", 3), None);
        assert_eq!(after(open, "~~~~", 3), open);
        assert_eq!(after(open, "```` x", 3), open);
    }
}
