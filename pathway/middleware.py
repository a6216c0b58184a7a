"""Request guards that apply to every page and API call."""

from django.http import HttpResponseBadRequest, JsonResponse


class RejectNullCharactersMiddleware:
    """A NUL character in a query parameter is bad input everywhere: PostgreSQL refuses it in a
    query (a 500 otherwise), and no field of the service may hold one. Answer 400 naming the
    parameter: the API's field map under /api/, a plain page elsewhere. Form bodies are covered
    by Django's own validator on every CharField."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        bad = sorted({key for key, values in request.GET.lists() if "\x00" in key or any("\x00" in v for v in values)})
        if bad:
            names = [name.replace("\x00", "") or "query" for name in bad]
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {name: ["Remove the null character from this value."] for name in names}, status=400
                )
            return HttpResponseBadRequest(
                "<!DOCTYPE html><title>Bad request - Painway</title><h1>Bad request</h1>"
                f"<p>The web address contains a null character in: {', '.join(names)}. Remove it and try again.</p>",
            )
        return self.get_response(request)
