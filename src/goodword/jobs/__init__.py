"""Scheduled jobs: time-driven work (releasing held rewards, reminders, birthday coupons) run by the worker."""
