"""JSON API: participation_profile."""

from fastapi import APIRouter

router = APIRouter()
