"""event registrations pages."""

from fastapi import APIRouter

router = APIRouter()
