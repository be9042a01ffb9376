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
	return positiveEnv(getenv, name, strconv.Atoi, "a positive "+unit, dst)
}

// positiveDurationEnv sets *dst from the environment variable name, when
// it is set, to a positive duration; anything else is errBadEnv, with
// example ("5m") in the message.
func positiveDurationEnv(getenv func(string) string, name, example string, dst *time.Duration) error {
	return positiveEnv(getenv, name, time.ParseDuration, "a positive duration such as "+example, dst)
}

// positiveEnv sets *dst from the environment variable name, when it is
// set, to what parse makes of it, which must be positive; anything else is
// errBadEnv saying what was wanted.
func positiveEnv[T int | time.Duration](getenv func(string) string, name string, parse func(string) (T, error), want string, dst *T) error {
	v := getenv(name)
	if v == "" {
		return nil
	}
	n, err := parse(v)
	if err != nil || n <= 0 {
		return fmt.Errorf("%w %s: want %s, got %q", errBadEnv, name, want, v)
	}
	*dst = n
	return nil
}
