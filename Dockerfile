FROM node:20-slim AS assets
WORKDIR /app
COPY package.json scripts/ ./
COPY scripts ./scripts
RUN npm install --no-audit --no-fund && mkdir -p static && npm run build

FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=pathway.settings
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
COPY --from=assets /app/static/vendor ./static/vendor
