"""Pages: forum."""

from fastapi import APIRouter

router = APIRouter()
