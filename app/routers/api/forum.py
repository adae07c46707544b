"""JSON API: forum."""

from fastapi import APIRouter

router = APIRouter()
