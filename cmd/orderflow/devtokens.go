package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/orderflow/orderflow/platform/auth"
)

// devTokenTTL is how long the tokens serve --insecure-dev logs last.
const devTokenTTL = 24 * time.Hour

// devTokensMessage is the line that carries the development tokens.
const devTokensMessage = "insecure development mode: an admin and a customer token for the next 24 hours follow; orderflow token mints others with the same secret"

// logDevTokens logs, at WARN, an admin token and a token of demoCustomer
// (who has the demo orders under --demo), both signed with ac's secret,
// and where that secret comes from.
func logDevTokens(ctx context.Context, logger *slog.Logger, ac auth.Config, cfg Gateway) error {
	now := time.Now()
	admin, err := auth.Mint(ac.Secret, ac.Issuer, ac.Audience, "admin", auth.RoleAdmin, devTokenTTL, now)
	if err != nil {
		return err
	}
	customer, err := auth.Mint(ac.Secret, ac.Issuer, ac.Audience, demoCustomer, auth.RoleCustomer, devTokenTTL, now)
	if err != nil {
		return err
	}
	secretFrom := envJWTSecret
	if cfg.JWTSecret == "" {
		secretFrom = cfg.DevSecretFile
	}
	logger.WarnContext(ctx, devTokensMessage, "admin_token", admin, "customer_token", customer, "customer_id", demoCustomer,
		"secret_from", secretFrom, "secret_from_env", cfg.JWTSecret != "")
	return nil
}
