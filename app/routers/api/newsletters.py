"""newsletters in the JSON API."""

from fastapi import APIRouter

router = APIRouter()
