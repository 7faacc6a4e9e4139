// GraphiQL over this server, from the assets it serves itself (React 18 UMD, GraphiQL 3 UMD).
//
// The Headers tab opens with {"Authorization": "Bearer "}: the user pastes a token after
// "Bearer ". GraphiQL introspects again whenever its fetcher changes, so a new fetcher is made
// once the Authorization header has changed and stayed so for a moment: the schema (docs,
// completion) arrives as soon as the token is in, without a manual re-fetch.
(function () {
  "use strict";
  var ENDPOINT = "/graphql";
  var HEADERS_TEMPLATE = '{"Authorization": "Bearer "}';
  var DEFAULT_QUERY =
    "# Paste your token after \"Bearer \" in the Headers tab below, then run this query.\n" +
    "{\n  metrics(perPage: 5) {\n    totalItems\n    items { uid name valueType }\n  }\n}\n";
  var SETTLE_MS = 400; // typing a token: re-fetch the schema once, when it stops changing

  function authorizationOf(headersText) {
    // The Authorization header of the editor's text, or null while the text is not JSON.
    try {
      var headers = JSON.parse(headersText || "{}");
      if (headers === null || typeof headers !== "object") return null;
      for (var name in headers) {
        if (name.toLowerCase() === "authorization") return String(headers[name]);
      }
      return "";
    } catch (error) {
      return null;
    }
  }

  function newFetcher() {
    return GraphiQL.createFetcher({ url: ENDPOINT });
  }

  function Page() {
    var fetcherState = React.useState(newFetcher);
    var fetcher = fetcherState[0];
    var setFetcher = fetcherState[1];
    var introspectedWith = React.useRef(undefined);
    var timer = React.useRef(undefined);

    var onEditHeaders = React.useCallback(function (headersText) {
      var authorization = authorizationOf(headersText);
      window.clearTimeout(timer.current);
      if (authorization === null) return;
      timer.current = window.setTimeout(function () {
        if (authorization !== introspectedWith.current) {
          introspectedWith.current = authorization;
          setFetcher(newFetcher);
        }
      }, SETTLE_MS);
    }, []);

    return React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultHeaders: HEADERS_TEMPLATE,
      defaultQuery: DEFAULT_QUERY,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: true,
      defaultEditorToolsVisibility: "headers",
      onEditHeaders: onEditHeaders,
    });
  }

  ReactDOM.createRoot(document.getElementById("graphiql")).render(React.createElement(Page));
})();
