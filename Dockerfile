# The team server image: summarizer with the team extra (PostgreSQL driver, Procrastinate, argon2).
FROM python:3.11-slim
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . /app
RUN pip install --no-cache-dir '.[team]'
ENV SUMMARIZER_HOME=/data
VOLUME /data
EXPOSE 8765
CMD ["summarizer", "serve-team", "--host", "0.0.0.0", "--workers", "0"]
