import net from 'node:net'
const s = net.connect(19999, '127.0.0.1', () => {
  setTimeout(() => { console.log('stop the server now'); }, 10)
  setTimeout(() => { s.write('HELLO-REQUEST') }, 1000)
  setTimeout(() => { s.resetAndDestroy(); console.log('client reset') }, 1300)
})
s.on('error', (e) => console.log('client error', e.message))
