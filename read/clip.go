package read

import (
	"strings"
	"unicode/utf8"
)

// maxEcho is how many characters of the client's own input (a name, an
// alias, a value) an error message repeats; the rest is cut off and
// marked with an ellipsis.
const maxEcho = 64

// maxForeignMessage is the most characters of a message written by a
// library (the parser's, the executor's validation) that a client gets.
const maxForeignMessage = 300

// clip returns s, or its first maxEcho characters followed by "…" when it
// is longer.
func clip(s string) string {
	return clipTo(s, maxEcho)
}

// clipTo returns s, or its first n characters followed by "…".
func clipTo(s string, n int) string {
	if len(s) <= n { // bytes >= runes: short enough whatever it holds
		return s
	}
	i, count := 0, 0
	for i < len(s) && count < n {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		count++
	}
	if i >= len(s) {
		return s
	}
	return s[:i] + "…"
}

// clipMessage bounds a message written by a library, which may quote the
// client's input at any length: every double-quoted part (as %q writes
// it) is clipped to maxEcho characters, and the whole to
// maxForeignMessage.
func clipMessage(msg string) string {
	if len(msg) <= maxEcho {
		return msg
	}
	var b strings.Builder
	for {
		start := strings.IndexByte(msg, '"')
		if start < 0 {
			b.WriteString(msg)
			break
		}
		b.WriteString(msg[:start+1])
		msg = msg[start+1:]
		end := closingQuote(msg)
		if end < 0 { // unterminated: the rest is the quote
			b.WriteString(clip(msg))
			break
		}
		b.WriteString(clip(msg[:end]))
		b.WriteByte('"')
		msg = msg[end+1:]
	}
	return clipTo(b.String(), maxForeignMessage)
}

// closingQuote returns the index of the double quote that ends a quoted
// part, skipping backslash escapes, or -1.
func closingQuote(s string) int {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return -1
}
