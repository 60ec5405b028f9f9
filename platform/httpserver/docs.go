package httpserver

import (
	"io/fs"
	"net/http"

	"github.com/gin-gonic/gin"
	swaggerfiles "github.com/swaggo/files/v2"
)

// docsAssets is where the Swagger UI files are served from, out of the binary.
const docsAssets = "/docs/assets"

const docsHTML = `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>ERP API</title>
  <link rel="stylesheet" href="` + docsAssets + `/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="` + docsAssets + `/swagger-ui-bundle.js"></script>
  <script src="` + docsAssets + `/swagger-ui-standalone-preset.js"></script>
  <script>
    window.ui = SwaggerUIBundle({
      url: "/openapi.json",
      dom_id: "#swagger-ui",
      deepLinking: true,
      presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
      layout: "StandaloneLayout"
    });
  </script>
</body>
</html>`

func docsPage(c *gin.Context) {
	c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(docsHTML))
}

// docsFiles serves the Swagger UI bundle embedded by github.com/swaggo/files.
func docsFiles() gin.HandlerFunc {
	files := http.StripPrefix(docsAssets, http.FileServer(http.FS(assetsFS())))
	return gin.WrapH(files)
}

func assetsFS() fs.FS { return swaggerfiles.FS }
