// Package schema holds orderflow's database schema: the versioned SQL
// migrations that platform/migrate applies, and the GraphQL schema the
// query API serves.
package schema

import (
	"embed"
	"io/fs"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations returns the SQL migrations, named NNNNN_description.sql, in the
// layout goose reads.
func Migrations() fs.FS {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil { // the directory is embedded above: cannot happen
		panic(err)
	}
	return sub
}
