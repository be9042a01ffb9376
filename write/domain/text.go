package domain

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// CheckText says what is wrong with a text field of a command ("is blank",
// "is longer than 200 characters"...), or returns "" when nothing is. A
// required field must hold more than white space; any field holds at most
// max characters of valid UTF-8 and no control characters, except line
// breaks and tabs in a multiline one.
func CheckText(s string, max int, required, multiline bool) string {
	switch {
	case required && strings.TrimSpace(s) == "":
		return "is blank"
	case !utf8.ValidString(s):
		return "is not valid UTF-8"
	case utf8.RuneCountInString(s) > max:
		return "is longer than " + strconv.Itoa(max) + " characters"
	}
	for _, r := range s {
		if unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\r' || r == '\t')) {
			return "contains control characters"
		}
	}
	return ""
}
