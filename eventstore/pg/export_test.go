package pg

// IsDeadlock reports whether err is PostgreSQL's deadlock error, for the
// external tests.
var IsDeadlock = isDeadlock
