"""The Panda3D desktop client: app.py assembles the packages below; render.py decides the look once."""
