"""Every router of the app, in the order they are mounted."""

from fastapi import APIRouter

from app.routers import auth, home
from app.routers.api import auth as api_auth

ROUTERS: list[APIRouter] = [
    home.router,
    auth.router,
    api_auth.router,
]
