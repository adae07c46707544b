"""Pages: participation_profile."""

from fastapi import APIRouter

router = APIRouter()
