"""Tests of search: the API and the page."""
