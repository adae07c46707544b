"""JSON API: initiatives."""

from fastapi import APIRouter

router = APIRouter()
