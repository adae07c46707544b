"""Pages: initiatives."""

from fastapi import APIRouter

router = APIRouter()
