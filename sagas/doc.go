// Package sagas holds orderflow's process managers. sagas/fulfillment runs
// every placed order through stock, payment and shipping, compensating in
// reverse when a step fails.
package sagas
