"""Catalog and settings (owner): services, rooms, trainers, products, timetable, policies."""
