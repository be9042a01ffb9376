package main

import (
	"context"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.opentelemetry.io/otel/trace"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/paymentprovider"
	"github.com/orderflow/orderflow/sagas/fulfillment"
	"github.com/orderflow/orderflow/write/service"
)

// carrier is the shipping carrier the saga books.
const carrier = "DHL"

// runSaga runs the fulfillment saga, its leases held as owner, until ctx
// ends, starting it again when it stops before. It returns the payment provider's client, whose
// state the metrics report.
func runSaga(ctx context.Context, cfg Config, owner string, store eventstore.Store, svc *service.Service, pool *pgxpool.Pool, logger *slog.Logger, observer fulfillment.Observer, tp trace.TracerProvider) (*paymentprovider.Client, error) {
	client, err := paymentprovider.New(paymentprovider.Config{BaseURL: cfg.PaymentProviderURL, MaxConcurrent: cfg.PaymentConcurrency,
		MaxWait: cfg.PaymentQueueWait, Logger: logger, TracerProvider: tp})
	if err != nil {
		return nil, err
	}
	sagaCfg := fulfillment.Config{
		Store: store, Service: svc, Payments: fulfillment.ProviderPayments(client), Pool: pool,
		PaymentTimeout: cfg.PaymentTimeout, Carrier: carrier, Logger: logger, Observer: observer, TracerProvider: tp,
		Owner: owner,
		// The countries the carrier delivers to.
		ServedCountries: []string{"AT", "BE", "DE", "DK", "ES", "FR", "IE", "IT", "LU", "NL", "PL", "PT", "SE"},
	}
	go supervise(ctx, logger, "fulfillment saga", func(ctx context.Context) error {
		return fulfillment.New(sagaCfg).Run(ctx)
	})
	return client, nil
}
