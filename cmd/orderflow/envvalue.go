package main

import (
	"fmt"
	"strconv"
	"time"
)

// positiveIntEnv sets *dst from the environment variable name, when it is
// set, to a positive number; anything else is errBadEnv, naming unit, the
// kind of number wanted ("number of bytes").
func positiveIntEnv(getenv func(string) string, name, unit string, dst *int) error {
	v := getenv(name)
	if v == "" {
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return fmt.Errorf("%w %s: want a positive %s, got %q", errBadEnv, name, unit, v)
	}
	*dst = n
	return nil
}

// positiveDurationEnv sets *dst from the environment variable name, when
// it is set, to a positive duration; anything else is errBadEnv, with
// example ("5m") in the message.
func positiveDurationEnv(getenv func(string) string, name, example string, dst *time.Duration) error {
	v := getenv(name)
	if v == "" {
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return fmt.Errorf("%w %s: want a positive duration such as %s, got %q", errBadEnv, name, example, v)
	}
	*dst = d
	return nil
}
