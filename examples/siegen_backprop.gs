# Siegen, Training fully connected networks (Moeller), slide 4 "Backpropagation - example":
# d = x + y, e = d * z, L = (e - 1)^2, with dL/dx = dd/dx * de/dd * dL/de = 1 * z * 2(e - 1).
# The transcript does not keep the slide's inputs; x = 1, y = 2, z = 1 give its dL/dx = 4.
x = 1
y = 2
z = 1
d = x + y
e = d * z
L = (e - 1) ** 2
