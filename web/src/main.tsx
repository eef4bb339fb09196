/** The web app's entry: the stylesheet, link handling, and the app in #app. */
import { render } from 'preact';
import { App } from './app.tsx';
import { interceptLinks } from './router.ts';
import './styles.css';

interceptLinks();
const root = document.getElementById('app');
if (root) render(<App />, root);
