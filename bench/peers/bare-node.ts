// The runtime's ceiling: node:http answering the same JSON, with no auth and no framework.
import { createServer } from 'node:http'
import { announce, ANSWER, port } from './common.js'

const body = JSON.stringify(ANSWER)
const server = createServer((request, response) => {
  if (request.url === '/protected') {
    response.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    })
    response.end(body)
  } else {
    response.writeHead(404).end()
  }
})
server.listen(port(), '127.0.0.1', () => announce(server.address()))
