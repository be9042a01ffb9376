package runner_test

import (
	"context"
	"testing"
	"time"

	"github.com/orderflow/orderflow/platform/dbtest"
	"github.com/orderflow/orderflow/platform/migrate"
	"github.com/orderflow/orderflow/sagas/fulfillment/runner"
)

// TestMigrationMovesIntakeCheckpoint takes a database back to before
// migration 00011, gives the old intake a checkpoint, and migrates it
// again: the intake's checkpoint among the projections is the old one, so
// an upgraded deployment goes on where it stopped.
func TestMigrationMovesIntakeCheckpoint(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	url := dbtest.New(t)
	p, db, err := migrate.Provider(url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := p.DownTo(ctx, 10); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO sagas.checkpoints (name, commit_pos, prepare_pos) VALUES ('fulfillment', 4242, 4241)`); err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 11); err != nil {
		t.Fatal(err)
	}
	var gen, version, commit, prepare, old int64
	if err := db.QueryRowContext(ctx, `SELECT generation, version, commit_pos, prepare_pos,
		(SELECT count(*) FROM sagas.checkpoints) FROM projections.checkpoints WHERE name = $1`, runner.IntakeName).
		Scan(&gen, &version, &commit, &prepare, &old); err != nil {
		t.Fatal(err)
	}
	if gen != 1 || version != 1 || commit != 4242 || prepare != 4241 || old != 0 {
		t.Fatalf("intake checkpoint: generation %d, version %d, at %d/%d, %d old rows left; want 1, 1, 4242/4241, none",
			gen, version, commit, prepare, old)
	}
}
