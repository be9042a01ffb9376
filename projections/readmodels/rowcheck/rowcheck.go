// Package rowcheck lets the read models refuse an event whose rows are not
// there, without a round trip per event: a statement queued on a
// projections.Writer can carry its own check, which fails the statement
// (and so the batch, and, when the runtime applies the batch again event
// by event, that event) with a message of the caller's choosing.
//
// A read model that uses it creates the check function in its schema with
// Function, among its Tables, and then wraps its statements with Require
// or calls the function through Assert.
package rowcheck

import "fmt"

// SQLState is the SQLSTATE of a failed check: no_data_found, of class P0
// (PL/pgSQL), which the projection runtime treats as the event's fault
// and parks the event.
const SQLState = "P0002"

// Function returns the DDL statement that creates the check function,
// schema.require_row(ok boolean, message text). It returns true when
// ok is true and otherwise raises an error with SQLSTATE SQLState and
// message as its text. It is VOLATILE, so PostgreSQL never evaluates it
// ahead of time, only where the statement reaches it.
func Function(schema string) string {
	return fmt.Sprintf(`CREATE FUNCTION %s.require_row(ok boolean, message text) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $fn$
BEGIN
    IF ok IS NOT TRUE THEN
        RAISE EXCEPTION USING ERRCODE = '%s', MESSAGE = message;
    END IF;
    RETURN true;
END
$fn$`, schema, SQLState)
}

// Assert returns an SQL expression that calls the check function of schema
// on the boolean expression cond, with the message in parameter
// $messageParam: it evaluates to true, or fails the statement.
func Assert(schema, cond string, messageParam int) string {
	return fmt.Sprintf("%s.require_row(%s, $%d)", schema, cond, messageParam)
}

// Require returns a statement that runs stmt, a data-modifying statement
// with a RETURNING clause, and fails with the message in parameter
// $messageParam when stmt returned no row (it found nothing to change).
func Require(schema, stmt string, messageParam int) string {
	return fmt.Sprintf("WITH touched AS (%s)\nSELECT %s", stmt, Assert(schema, "EXISTS (SELECT FROM touched)", messageParam))
}
