"""admin jobs pages."""

from fastapi import APIRouter

router = APIRouter()
