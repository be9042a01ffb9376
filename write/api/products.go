package api

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/inventory"
	"github.com/orderflow/orderflow/write/money"
)

type registerProductRequest struct {
	SKU   string      `json:"sku"`
	Name  string      `json:"name"`
	Price money.Money `json:"price"`
}

type productResponse struct {
	SKU string `json:"sku"`
	result
}

// registerProduct: POST /products adds a product to the catalog.
func (a *API) registerProduct(r *http.Request, body []byte, meta command.Meta) (accepted, error) {
	var req registerProductRequest
	if err := decodeStrict(body, &req); err != nil {
		return accepted{}, err
	}
	res, err := a.svc.Inventory(r.Context(), meta, req.SKU, inventory.RegisterProduct{SKU: req.SKU, Name: req.Name, Price: req.Price})
	if err != nil {
		return accepted{}, err
	}
	return accepted{
		status:   http.StatusAccepted,
		location: Prefix + "/products/" + req.SKU,
		body:     productResponse{SKU: req.SKU, result: newResult(res, meta)},
	}, nil
}

type addStockRequest struct {
	Quantity int64 `json:"quantity"`
}

// addStock: POST /products/{sku}/stock adds units to a product's stock.
func (a *API) addStock(r *http.Request, body []byte, meta command.Meta) (accepted, error) {
	var req addStockRequest
	if err := decodeStrict(body, &req); err != nil {
		return accepted{}, err
	}
	sku := chi.URLParam(r, "sku")
	res, err := a.svc.Inventory(r.Context(), meta, sku, inventory.AddStock{Quantity: req.Quantity})
	if err != nil {
		return accepted{}, err
	}
	return accepted{status: http.StatusAccepted, body: productResponse{SKU: sku, result: newResult(res, meta)}}, nil
}
