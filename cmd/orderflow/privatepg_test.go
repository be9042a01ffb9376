package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// pgBin is where Debian's PostgreSQL 15 binaries live (scripts/postgres.sh
// installs them).
const pgBin = "/usr/lib/postgresql/15/bin"

// privatePG is a throwaway PostgreSQL cluster of one test, on a free
// loopback port with no Unix socket, that the test may restart without
// disturbing the cluster every other test shares.
type privatePG struct {
	dir  string
	url  string
	opts string // the server's options: port, loopback only, no socket
}

// startPrivatePG initdbs a cluster in a fresh directory, starts it and
// creates database orderflow (superuser orderflow, trust on loopback). As
// root it runs as the postgres user, which initdb requires. The cluster is
// stopped and its files removed in t.Cleanup.
func startPrivatePG(t *testing.T) *privatePG {
	t.Helper()
	if _, err := os.Stat(filepath.Join(pgBin, "initdb")); err != nil {
		t.Fatalf("PostgreSQL 15 binaries not found under %s (scripts/postgres.sh installs them): %v", pgBin, err)
	}
	dir, err := os.MkdirTemp("", "orderflow-private-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root needs the postgres user: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()

	p := &privatePG{dir: dir, url: fmt.Sprintf("postgres://orderflow@127.0.0.1:%d/orderflow?sslmode=disable", port),
		opts: fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off -c max_connections=100", port)}
	p.run(t, "initdb", "-D", filepath.Join(dir, "data"), "-U", "orderflow", "--auth=trust", "-E", "UTF8", "--no-sync")
	p.run(t, "pg_ctl", "-D", filepath.Join(dir, "data"), "-l", filepath.Join(dir, "log"), "-w", "-t", "60",
		"-o", p.opts, "start")
	t.Cleanup(func() {
		cmd := p.command("pg_ctl", "-D", filepath.Join(dir, "data"), "-m", "immediate", "-w", "stop")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("stop the private PostgreSQL: %v: %s", err, out)
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, fmt.Sprintf("postgres://orderflow@127.0.0.1:%d/postgres?sslmode=disable", port))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE orderflow"); err != nil {
		t.Fatal(err)
	}
	return p
}

// restart stops the cluster in fast mode (clients are disconnected,
// transactions rolled back) and starts it again, waiting for both. (pg_ctl
// restart would not send the server's output to the log file.)
func (p *privatePG) restart(t *testing.T) {
	t.Helper()
	p.stop(t)
	p.start(t)
}

func (p *privatePG) command(name string, args ...string) *exec.Cmd {
	bin := filepath.Join(pgBin, name)
	if os.Geteuid() == 0 {
		return exec.Command("runuser", append([]string{"-u", "postgres", "--", bin}, args...)...)
	}
	return exec.Command(bin, args...)
}

func (p *privatePG) run(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := p.command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v: %s", name, err, out)
	}
}

// stop stops the cluster in fast mode, waiting until it is down.
func (p *privatePG) stop(t *testing.T) {
	t.Helper()
	p.run(t, "pg_ctl", "-D", filepath.Join(p.dir, "data"), "-m", "fast", "-w", "-t", "60", "stop")
}

// start starts the stopped cluster again with its options.
func (p *privatePG) start(t *testing.T) {
	t.Helper()
	p.run(t, "pg_ctl", "-D", filepath.Join(p.dir, "data"), "-l", filepath.Join(p.dir, "log"), "-w", "-t", "60",
		"-o", p.opts, "start")
}
