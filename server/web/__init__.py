"""Server-rendered pages, one blueprint per concern (home, auth, i18n, inbox, projects, tasks, instances,
vendor); server.web.pages registers them with the app-wide filters, context and error pages."""
