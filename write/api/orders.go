package api

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/money"
	"github.com/orderflow/orderflow/write/order"
)

type placeOrderRequest struct {
	CustomerID      string             `json:"customerId"`
	Lines           []orderLineRequest `json:"lines"`
	ShippingAddress addressRequest     `json:"shippingAddress"`
	// Channel is the sales channel; absent means order.ChannelAPI.
	Channel *string `json:"channel"`
}

type orderLineRequest struct {
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
}

type addressRequest struct {
	Name       string `json:"name"`
	Line1      string `json:"line1"`
	Line2      string `json:"line2"`
	City       string `json:"city"`
	PostalCode string `json:"postalCode"`
	Country    string `json:"country"`
}

type orderResponse struct {
	OrderID string       `json:"orderId"`
	Status  string       `json:"status,omitempty"`
	Total   *money.Money `json:"total,omitempty"`
	Channel string       `json:"channel,omitempty"`
	result
}

// orderIDNamespace scopes order ids derived from idempotency keys.
var orderIDNamespace = uuid.MustParse("0f6a3c52-7d1e-4b8a-9c2f-3e5d7a9b1c04")

// placeOrder: POST /orders places an order at catalog prices, for the
// customer orderCustomer says.
func (a *API) placeOrder(r *http.Request, body []byte, meta command.Meta) (accepted, error) {
	var req placeOrderRequest
	if err := decodeStrict(body, &req); err != nil {
		return accepted{}, err
	}
	p, err := principal(r)
	if err != nil {
		return accepted{}, err
	}
	customerID, err := orderCustomer(p, req.CustomerID)
	if err != nil {
		return accepted{}, err
	}
	id := uuid.NewString()
	if meta.IdempotencyKey != "" {
		// A retry must place the same order, not a second one.
		id = uuid.NewSHA1(orderIDNamespace, []byte(meta.IdempotencyKey)).String()
	}
	cmd := order.Place{
		OrderID:    id,
		CustomerID: customerID,
		ShippingAddress: order.Address{
			Name: req.ShippingAddress.Name, Line1: req.ShippingAddress.Line1, Line2: req.ShippingAddress.Line2,
			City: req.ShippingAddress.City, PostalCode: req.ShippingAddress.PostalCode, Country: req.ShippingAddress.Country,
		},
	}
	for _, l := range req.Lines {
		cmd.Lines = append(cmd.Lines, order.LineRequest{SKU: l.SKU, Quantity: l.Quantity})
	}
	if req.Channel != nil {
		c := order.Channel(*req.Channel)
		if !c.Valid() {
			// A value outside the document's enum, like a value of the
			// wrong type, is a request that does not fit its schema.
			return accepted{}, badRequest("field_wrong_type", fmt.Sprintf(`field "channel" must be one of %s, not %q`, order.ChannelNames(), *req.Channel))
		}
		cmd.Channel = c
	}
	res, err := a.svc.PlaceOrder(r.Context(), meta, cmd)
	if err != nil {
		return accepted{}, err
	}
	resp := orderResponse{OrderID: id, Status: order.StatusPending.String(), result: newResult(res, meta)}
	for _, e := range res.Events {
		if p, ok := e.(order.Placed); ok {
			resp.Total, resp.Channel = &p.Total, string(p.Channel)
		}
	}
	return accepted{
		status:   http.StatusAccepted,
		location: Prefix + "/orders/" + id,
		etag:     etag(res.Revision),
		body:     resp,
	}, nil
}

type cancelOrderRequest struct {
	Reason string `json:"reason"`
}

// cancelOrder: POST /orders/{id}/cancel cancels a pending or confirmed
// order, at the revision If-Match names when it names one. An admin may
// cancel any order; a customer only its own, and another customer's order
// answers exactly as one that does not exist (service.CustomerOrder).
func (a *API) cancelOrder(r *http.Request, body []byte, meta command.Meta) (accepted, error) {
	var req cancelOrderRequest
	if err := decodeStrict(body, &req); err != nil {
		return accepted{}, err
	}
	ifRevision, err := ifMatch(r)
	if err != nil {
		return accepted{}, err
	}
	p, err := principal(r)
	if err != nil {
		return accepted{}, err
	}
	id := chi.URLParam(r, "id")
	cmd := order.Cancel{Reason: req.Reason, ByCustomer: true}
	var res command.Result
	if p.IsAdmin() {
		res, err = a.svc.Order(r.Context(), meta, id, cmd, ifRevision)
	} else {
		res, err = a.svc.CustomerOrder(r.Context(), meta, p.Subject, id, cmd, ifRevision)
	}
	if err != nil {
		return accepted{}, err
	}
	return accepted{
		status: http.StatusAccepted,
		etag:   etag(res.Revision),
		body:   orderResponse{OrderID: id, Status: order.StatusCancelled.String(), result: newResult(res, meta)},
	}, nil
}

// ifMatch reads the If-Match header: absent, or one revision, bare or
// quoted ("3").
func ifMatch(r *http.Request) (*int64, error) {
	v := strings.TrimSpace(r.Header.Get("If-Match"))
	if v == "" {
		return nil, nil
	}
	rev, err := strconv.ParseInt(strings.Trim(v, `"`), 10, 64)
	if err != nil || rev < 0 || strings.Count(v, `"`)%2 != 0 {
		return nil, errIfMatchInvalid
	}
	return &rev, nil
}
