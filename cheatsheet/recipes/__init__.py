"""The recipes layer: programs/recipes.toml as data (:mod:`.model`, one :mod:`.arch` record per
architecture), its loader and checks, the size ladders, the Dockerfiles and the variant selection.
It imports the data layer (the schema's enums) and nothing of Docker, measuring or the site."""

from .arch import ARCHES, DEFAULT_ARCH, Arch
from .checks import RecipeError
from .load import load_recipes
from .model import Recipes, Variant
from .select import NoMatch, select

__all__ = ["ARCHES", "DEFAULT_ARCH", "Arch", "NoMatch", "RecipeError", "Recipes", "Variant", "load_recipes", "select"]
