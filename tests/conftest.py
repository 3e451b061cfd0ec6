"Test settings: hypothesis runs derandomised (the same examples every run) and without a per-example deadline (compiled kernels compile on first call)."
from hypothesis import settings

settings.register_profile('genopred', deadline=None, derandomize=True)
settings.load_profile('genopred')
