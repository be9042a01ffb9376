package command

import "context"

// Load returns the current state of aggregate id, or the zero state when
// its stream is empty. Use it to answer a question of another context's
// aggregate, never to decide on it.
func Load[S any](ctx context.Context, h *Handler, agg Aggregate[S], id string) (S, error) {
	st, _, err := load(ctx, h, agg, agg.Stream(id), false)
	return st.state, err
}
