npm install --save-dev cleanroom-e2e
