"""Pages: initiative_discussion."""

from fastapi import APIRouter

router = APIRouter()
