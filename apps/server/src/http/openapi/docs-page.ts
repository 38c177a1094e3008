import type { FastifySwaggerUiOptions } from '@fastify/swagger-ui';

// The Leasehold mark: a key whose bow is a seat counter, in the brand's ink and amber.
const LOGO = `<svg xmlns="http://www.w3.org/2000/svg" width="220" height="40" viewBox="0 0 220 40">
<circle cx="20" cy="20" r="12" fill="none" stroke="#f5a524" stroke-width="5"/>
<rect x="30" y="17" width="22" height="6" rx="2" fill="#f5a524"/><rect x="44" y="23" width="5" height="7" fill="#f5a524"/>
<text x="62" y="28" font-family="system-ui,sans-serif" font-size="22" font-weight="700" fill="#ffffff">Leasehold API</text>
</svg>`;

const ICON = `<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#14213d"/>
<circle cx="12" cy="16" r="6" fill="none" stroke="#f5a524" stroke-width="3"/><rect x="17" y="14.5" width="11" height="3" fill="#f5a524"/></svg>`;

const CSS = `
.swagger-ui .topbar { background: #14213d; padding: 8px 0; }
.swagger-ui .topbar .download-url-wrapper { display: none; }
.swagger-ui .info .title, .swagger-ui .opblock-tag { color: #14213d; }
.swagger-ui .btn.execute, .swagger-ui .btn.authorize { background: #f5a524; border-color: #f5a524; color: #14213d; }
.swagger-ui .opblock.opblock-post { border-color: #14213d; }
.swagger-ui .opblock.opblock-post .opblock-summary-method { background: #14213d; }
`;

/** Swagger UI at /docs, in Leasehold's colours, showing the document's examples. */
export function docsPageOptions(): FastifySwaggerUiOptions {
  return {
    routePrefix: '/docs',
    logo: { type: 'image/svg+xml', content: Buffer.from(LOGO), href: '/docs', target: '_self' },
    theme: {
      title: 'Leasehold API',
      css: [{ filename: 'leasehold.css', content: CSS }],
      favicon: [{ filename: 'leasehold.svg', rel: 'icon', type: 'image/svg+xml', sizes: 'any', content: Buffer.from(ICON) }],
    },
    uiConfig: {
      docExpansion: 'list',
      deepLinking: true,
      displayOperationId: true,
      defaultModelsExpandDepth: 1,
      defaultModelRendering: 'example',
      showExtensions: false,
      tryItOutEnabled: false,
      persistAuthorization: false,
    },
    validatorUrl: false,
  };
}
