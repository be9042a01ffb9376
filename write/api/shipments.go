package api

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/order"
	"github.com/orderflow/orderflow/write/shipping"
)

type dispatchedRequest struct {
	TrackingNumber string `json:"trackingNumber"`
}

type shipmentResponse struct {
	OrderID string `json:"orderId"`
	Status  string `json:"status"`
	result
}

// shipmentDispatched: POST /shipments/{orderId}/dispatched is the carrier
// telling us it took the parcel: the shipment, the reserved stock and the
// order all record it (service.Dispatched); a retry with the same
// Idempotency-Key completes whatever a failure left undone.
func (a *API) shipmentDispatched(r *http.Request, body []byte, meta command.Meta) (accepted, error) {
	var req dispatchedRequest
	if err := decodeStrict(body, &req); err != nil {
		return accepted{}, err
	}
	id := chi.URLParam(r, "orderId")
	res, err := a.svc.Dispatched(r.Context(), meta, id, req.TrackingNumber)
	if err != nil {
		return accepted{}, err
	}
	return accepted{status: http.StatusAccepted, body: shipmentResponse{OrderID: id, Status: shipping.StatusDispatched.String(), result: newResult(res, meta)}}, nil
}

// shipmentDelivered: POST /shipments/{orderId}/delivered is the carrier
// telling us the parcel arrived; the order is then marked delivered.
func (a *API) shipmentDelivered(r *http.Request, body []byte, meta command.Meta) (accepted, error) {
	var req struct{}
	if err := decodeStrict(body, &req); err != nil {
		return accepted{}, err
	}
	id := chi.URLParam(r, "orderId")
	if _, err := a.svc.Shipment(r.Context(), meta, id, shipping.Deliver{}); err != nil {
		return accepted{}, err
	}
	res, err := a.svc.Order(r.Context(), meta, id, order.MarkDelivered{}, nil)
	if err != nil {
		return accepted{}, err
	}
	return accepted{status: http.StatusAccepted, body: shipmentResponse{OrderID: id, Status: shipping.StatusDelivered.String(), result: newResult(res, meta)}}, nil
}
