"""Stores and what a store knows: API keys, customers, products, orders and customer ties."""
